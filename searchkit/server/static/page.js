// Completion as you type: the index's words that start with the last word typed, from /api/complete, offered
// through the search box's <datalist>. The page works without this script.
(function () {
  const input = document.getElementById("q");
  const list = document.getElementById("completions");
  if (!input || !list || !window.fetch) return;
  let timer = null, asked = "";
  input.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(complete, 120);
  });
  function complete() {
    const value = input.value;
    const match = /([\p{L}\p{N}]+)$/u.exec(value);
    if (!match || match[1].length < 2) { list.replaceChildren(); return; }
    const prefix = match[1], head = value.slice(0, value.length - prefix.length);
    asked = value;
    fetch("/api/complete?limit=8&prefix=" + encodeURIComponent(prefix))
      .then(function (answer) { return answer.ok ? answer.json() : []; })
      .then(function (words) {
        if (input.value !== asked) return;
        list.replaceChildren(...words.map(function (w) {
          const option = document.createElement("option");
          option.value = head + w.word;
          option.label = w.word + " — " + w.documents;
          return option;
        }));
      })
      .catch(function () {});
  }
})();

/*
 * Starts a local OpenSearch cluster of real nodes in this one JVM (OpenSearchRunner) for searchkit's development and
 * CI, and keeps it until the JVM is told to stop. Run as a single source file, no build step:
 *
 *   java -Xmx1g -cp 'JARS/*' Launcher.java --nodes 2 --dir STATE [--port 9200] [--cluster-name searchkit-test]
 *
 * Every node listens on 127.0.0.1 only. Node K's HTTP port is PORT+K-1 when --port is given, else one the kernel
 * chooses, so that parallel runs and other servers on the machine never collide; transport ports are always chosen
 * by the kernel, and each node is pointed at the nodes started before it, so no other cluster on the machine can be
 * joined by mistake. Node 1 is the elected cluster manager.
 *
 * Once every node has joined and the health is yellow or green, node 1's URL is printed on a line of its own and
 * written to STATE/url; all node URLs go to STATE/nodes. Commands arrive as the file STATE/command (one line; the
 * only one is "stop-node K") and are answered in STATE/command.reply ("ok ..." or "error ..."): a file pair needs no
 * reader blocked on a pipe and leaves nothing behind if either side dies. SIGTERM closes every node, last first,
 * and deletes STATE/cluster, where the nodes keep their data and configuration. The nodes log to
 * STATE/opensearch.log (see LOG_CONFIG).
 */

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.codelibs.opensearch.runner.OpenSearchRunner;
import org.opensearch.action.admin.cluster.health.ClusterHealthResponse;
import org.opensearch.cluster.health.ClusterHealthStatus;
import org.opensearch.common.settings.Settings;
import org.opensearch.common.unit.TimeValue;
import org.opensearch.http.HttpServerTransport;
import org.opensearch.node.Node;
import org.opensearch.transport.TransportService;

public class Launcher {

    private static final TimeValue HEALTH_TIMEOUT = TimeValue.timeValueSeconds(150);

    private static final long NODE_CLOSE_TIMEOUT_SECONDS = 30;

    private static final long COMMAND_POLL_MILLIS = 200;

    /**
     * Each node reconfigures Log4j from its own config folder, stops the appenders of the one before and points
     * System.out at a logger. The runner's stock console appender loses every line from node 2 on (closing a console
     * stream closes the process's standard output); an appending file appender reopened at every reconfiguration does
     * not. So all nodes log to STATE/opensearch.log, the thread names saying which node logged what.
     */
    private static final String LOG_CONFIG = """
            status = error
            appender.file.type = File
            appender.file.name = file
            appender.file.fileName = ${sys:searchkit.opensearch.log}
            appender.file.append = true
            appender.file.layout.type = PatternLayout
            appender.file.layout.pattern = [%d{ISO8601}][%-5p][%-25c{1.}][%t] %m%n
            rootLogger.level = info
            rootLogger.appenderRef.file.ref = file
            """;

    /** Standard output carries the URL and the answers to commands only; the runner's chatter goes to stderr. */
    private static final PrintStream STDOUT = System.out;

    public static void main(final String[] args) throws Exception {
        final Options options = Options.parse(args);
        System.setOut(System.err);
        System.setProperty("searchkit.opensearch.log", options.dir.resolve("opensearch.log").toString());
        // Log4j's own shutdown hook would race the one below and drop the nodes' closing lines; clean() ends it.
        System.setProperty("log4j.shutdownHookEnabled", "false");
        final OpenSearchRunner runner = new OpenSearchRunner();
        // The runner's own port probing stops at 9299; the ports are set here (see nodeSettings) instead.
        runner.setMaxHttpPort(-1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> shutDown(runner, options)));
        try {
            runner.onBuild((number, settings) -> nodeSettings(runner, options, number, settings))
                    .build(OpenSearchRunner.newConfigs()
                            .basePath(options.clusterDir().toString())
                            .clusterName(options.clusterName)
                            .numOfNode(options.nodes));
            waitForHealth(runner, options.nodes);
            announce(runner, options);
        } catch (final RuntimeException e) {
            e.printStackTrace();
            System.exit(1);
        }
        serveCommands(runner, options);
    }

    /**
     * Loopback only, ports as described at the top, no disk watermarks (a full-ish CI disk must not hold shards
     * back), and the log configuration above, which the runner keeps when it finds one in the node's config folder.
     */
    private static void nodeSettings(final OpenSearchRunner runner, final Options options, final int number,
            final Settings.Builder settings) {
        writeAtomically(options.clusterDir().resolve("node_" + number).resolve("config").resolve("log4j2.properties"),
                LOG_CONFIG);
        final List<String> earlierNodes = new ArrayList<>();
        for (int index = 0; index < number - 1; index++) {
            earlierNodes.add(transportAddress(runner.getNode(index)));
        }
        settings.put("network.host", "127.0.0.1")
                .put("http.port", options.port > 0 ? String.valueOf(options.port + number - 1) : "0")
                .put("transport.port", "0")
                .putList("discovery.seed_hosts", earlierNodes)
                .putList("cluster.initial_cluster_manager_nodes", "Node 1")
                .put("cluster.routing.allocation.disk.threshold_enabled", false);
    }

    private static void waitForHealth(final OpenSearchRunner runner, final int nodes) {
        final ClusterHealthResponse health = runner.client().admin().cluster().prepareHealth()
                .setWaitForYellowStatus()
                .setWaitForNodes(String.valueOf(nodes))
                .setTimeout(HEALTH_TIMEOUT)
                .get();
        if (health.isTimedOut() || health.getStatus() == ClusterHealthStatus.RED) {
            throw new IllegalStateException("cluster not ready: status " + health.getStatus() + ", "
                    + health.getNumberOfNodes() + " of " + nodes + " nodes");
        }
    }

    private static void announce(final OpenSearchRunner runner, final Options options) {
        final StringBuilder nodes = new StringBuilder();
        for (int index = 0; index < runner.getNodeSize(); index++) {
            nodes.append(index + 1).append(' ').append(httpUrl(runner.getNode(index))).append('\n');
        }
        final String url = httpUrl(runner.getNode(0));
        writeAtomically(options.dir.resolve("nodes"), nodes.toString());
        writeAtomically(options.dir.resolve("url"), url + "\n");
        STDOUT.println(url);
        STDOUT.flush();
    }

    private static void serveCommands(final OpenSearchRunner runner, final Options options) throws Exception {
        final Path command = options.dir.resolve("command");
        while (true) {
            if (Files.exists(command)) {
                final String line = Files.readString(command, StandardCharsets.UTF_8).trim();
                Files.delete(command);
                writeAtomically(options.dir.resolve("command.reply"), execute(runner, line) + "\n");
            }
            Thread.sleep(COMMAND_POLL_MILLIS);
        }
    }

    private static String execute(final OpenSearchRunner runner, final String line) {
        final String[] words = line.split("\\s+");
        if (words.length != 2 || !words[0].equals("stop-node") || !words[1].matches("[0-9]+")) {
            return "error unknown command: " + line;
        }
        final int number = Integer.parseInt(words[1]);
        final Node node = runner.getNode(number - 1);
        if (node == null) {
            return "error no node " + number + " (the cluster has " + runner.getNodeSize() + ")";
        }
        if (node.isClosed()) {
            return "ok node " + number + " was already stopped";
        }
        try {
            node.close();
            if (!node.awaitClose(NODE_CLOSE_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                return "error node " + number + " did not close within " + NODE_CLOSE_TIMEOUT_SECONDS + " s";
            }
        } catch (final IOException | InterruptedException e) {
            return "error node " + number + ": " + e;
        }
        STDOUT.println("Stopped node " + number);
        return "ok node " + number + " stopped";
    }

    /** Last node first, so that no node spends its last moments failing to reach a cluster manager already gone. */
    private static void shutDown(final OpenSearchRunner runner, final Options options) {
        try {
            for (int index = runner.getNodeSize() - 1; index >= 0; index--) {
                runner.getNode(index).close();
            }
            runner.close();
        } catch (final IOException e) {
            e.printStackTrace();
        }
        if (Files.exists(options.clusterDir())) {
            runner.clean();
        }
    }

    private static String httpUrl(final Node node) {
        final var address = node.injector().getInstance(HttpServerTransport.class).boundAddress().publishAddress();
        return "http://" + address.getAddress() + ":" + address.getPort();
    }

    private static String transportAddress(final Node node) {
        final var address = node.injector().getInstance(TransportService.class).boundAddress().publishAddress();
        return address.getAddress() + ":" + address.getPort();
    }

    private static void writeAtomically(final Path path, final String text) {
        final Path partial = path.resolveSibling(path.getFileName() + ".partial");
        try {
            Files.writeString(partial, text, StandardCharsets.UTF_8);
            Files.move(partial, path, StandardCopyOption.ATOMIC_MOVE);
        } catch (final IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static final class Options {
        int nodes = 1;
        int port;
        String clusterName = "searchkit-test";
        Path dir;

        Path clusterDir() {
            return dir.resolve("cluster");
        }

        static Options parse(final String[] args) {
            final Options options = new Options();
            for (int index = 0; index + 1 < args.length; index += 2) {
                final String value = args[index + 1];
                switch (args[index]) {
                    case "--nodes" -> options.nodes = Integer.parseInt(value);
                    case "--port" -> options.port = Integer.parseInt(value);
                    case "--cluster-name" -> options.clusterName = value;
                    case "--dir" -> options.dir = Path.of(value).toAbsolutePath();
                    default -> throw new IllegalArgumentException("unknown option " + args[index]);
                }
            }
            if (args.length % 2 != 0 || options.dir == null || options.nodes < 1) {
                throw new IllegalArgumentException(
                        "usage: Launcher.java --nodes N --dir STATE [--port P] [--cluster-name NAME]");
            }
            return options;
        }
    }
}

"""A searchkit index on an OpenSearch cluster, for collections larger than one machine: the only part of
searchkit that imports ``opensearchpy`` (the ``opensearch`` extra).

searchkit analyses every document and query itself, as for the embedded index; the cluster stores the analysed
terms (:mod:`.fields`), scores compiled queries translated into its DSL (:mod:`.translate`) with BM25, and shards
and replicates them.

Nothing is imported here, so that telling a cluster location from a folder (:mod:`.location`) loads no client.

- :mod:`.location`: ``opensearch://HOST:PORT/NAME`` and the credentials from the environment;
- :mod:`.client`: the cluster's client and its failures as one line;
- :mod:`.store`: the backend, its three indices and the state document that is its commit;
- :mod:`.writing`: transactions, with worker processes that analyse documents and send them in bulk;
- :mod:`.context`: one committed state as a search reads it;
- :mod:`.vocabulary`: the terms and document frequencies OpenSearch cannot list.
"""

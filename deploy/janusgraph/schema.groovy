// Tagline's JanusGraph schema: vertex and edge labels, property keys and the composite indexes the
// lineage store looks vertices up by.
//
// Run with the Gremlin Console that ships in the janusgraph/janusgraph image:
//
//     bin/gremlin.sh -e /opt/tagline/schema.groovy
//
// The script opens the graph itself (embedded, not through Gremlin Server) from the image's
// properties template, conf/janusgraph-${JANUS_PROPS_TEMPLATE}-server.properties, with every
// `janusgraph.*` environment variable applied on top, the same way the image's entrypoint builds
// the server's configuration. It is idempotent: what exists is left alone, what is missing is
// created, and an index left half-built by an earlier run is registered and reindexed. It exits 0
// once every index is ENABLED and 1 on any error.
//
// The unique key of vertices and edges is the property `uid` (graph/schema.py KEY): JanusGraph
// reserves the names key, vertex, edge, element, property and label.
//
// Written for the console's line-by-line evaluation: after the imports, the work is one try block, so
// the console sees a single statement.

import java.time.temporal.ChronoUnit
import org.apache.tinkerpop.gremlin.structure.Edge
import org.apache.tinkerpop.gremlin.structure.Vertex
import org.janusgraph.core.Cardinality
import org.janusgraph.core.JanusGraphFactory
import org.janusgraph.core.Multiplicity
import org.janusgraph.core.schema.ConsistencyModifier
import org.janusgraph.core.schema.SchemaAction
import org.janusgraph.core.schema.SchemaStatus
import org.janusgraph.graphdb.database.management.ManagementSystem

graph = null

try {
    def keyName = 'uid'

    def vertexLabels = ['dataset', 'column', 'job', 'failure', 'event', 'audit']
    def edgeLabels = ['has_column', 'derives', 'reads', 'writes']
    // Times are ISO-8601 UTC strings, as the Python store writes them. Properties not listed here
    // are created on first use by JanusGraph's automatic schema.
    def propertyKeys = [
        (keyName)      : String,
        namespace      : String,
        name           : String,
        dataset        : String,
        field          : String,
        data_type      : String,
        kind           : String,
        description    : String,
        schedule       : String,
        last_run_at    : String,
        last_run_state : String,
        job            : String,
        type           : String,
        subtype        : String,
        masking        : Boolean,
        expression     : String,
        first_seen     : String,
        last_seen      : String,
        last_at        : String,
        expires_at     : String,
        lineage_in     : String,
        lineage_out    : String,
        tags_declared  : String,
        tags_blocked   : String,
        tags_effective : String,
        tags_pending   : Boolean,
        sensitivity    : String,
        at             : String,
        actor          : String,
        column         : String,
        tag            : String,
        change         : String,
        cause          : String
    ]
    def indexTimeoutMinutes = (System.getenv('TAGLINE_INDEX_TIMEOUT_MINUTES') ?: '10') as long

    // ---- open the graph, waiting for the storage backend if it is not answering yet ----------
    def janusHome = System.getenv('JANUS_HOME') ?: '/opt/janusgraph'
    def template = System.getenv('JANUS_PROPS_TEMPLATE') ?: 'cql-es'
    def propsFile = new File(janusHome + '/conf/janusgraph-' + template + '-server.properties')
    def settings = new LinkedHashMap<String, String>()
    if (propsFile.exists()) {
        def props = new Properties()
        propsFile.withInputStream { props.load(it) }
        props.stringPropertyNames().each { k -> if (k != 'gremlin.graph') settings[k] = props.getProperty(k) }
    } else {
        println "no properties template at " + propsFile + "; using janusgraph.* environment variables only"
    }
    System.getenv().each { k, v ->
        if (k.startsWith('janusgraph.') && v) settings[k.substring('janusgraph.'.length())] = v
    }
    println "opening graph: storage " + settings['storage.backend'] + " at " + settings['storage.hostname'] +
        ", index backend " + settings['index.search.backend'] + " at " + settings['index.search.hostname']

    def attempts = (System.getenv('TAGLINE_STORAGE_ATTEMPTS') ?: '30') as int
    for (int attempt = 1; graph == null; attempt++) {
        try {
            def builder = JanusGraphFactory.build()
            settings.each { k, v -> builder.set(k, v) }
            graph = builder.open()
        } catch (Exception e) {
            if (attempt >= attempts) throw e
            println "storage not ready (attempt " + attempt + "/" + attempts + "): " + e.getMessage()
            Thread.sleep(5000)
        }
    }
    graph.tx().rollback()

    // ---- labels and property keys ----------------------------------------------------------------
    def mgmt = graph.openManagement()
    def made = []
    vertexLabels.each { n ->
        if (!mgmt.containsVertexLabel(n)) {
            mgmt.makeVertexLabel(n).make()
            made << ('vertex label ' + n)
        }
    }
    edgeLabels.each { n ->
        if (!mgmt.containsEdgeLabel(n)) {
            mgmt.makeEdgeLabel(n).multiplicity(Multiplicity.MULTI).make()
            made << ('edge label ' + n)
        }
    }
    propertyKeys.each { n, cls ->
        if (!mgmt.containsPropertyKey(n)) {
            mgmt.makePropertyKey(n).dataType(cls).cardinality(Cardinality.SINGLE).make()
            made << ('property key ' + n + ' ' + cls.simpleName)
        } else {
            def existing = mgmt.getPropertyKey(n)
            if (existing.dataType() != cls) {
                println "WARNING: property key " + n + " exists with type " + existing.dataType().simpleName +
                    ", expected " + cls.simpleName + "; it is left as it is"
            }
        }
    }

    // ---- composite indexes: created in the same transaction as new keys they are ENABLED at once --
    if (!mgmt.containsGraphIndex('byKey')) {
        def byKey = mgmt.buildIndex('byKey', Vertex.class).addKey(mgmt.getPropertyKey(keyName)).unique().buildCompositeIndex()
        mgmt.setConsistency(byKey, ConsistencyModifier.LOCK)
        made << ('unique composite index byKey(' + keyName + ') with LOCK consistency')
    }
    if (!mgmt.containsGraphIndex('byEdgeKey')) {
        mgmt.buildIndex('byEdgeKey', Edge.class).addKey(mgmt.getPropertyKey(keyName)).buildCompositeIndex()
        made << ('composite edge index byEdgeKey(' + keyName + ')')
    }
    if (!mgmt.containsGraphIndex('byNamespaceName')) {
        mgmt.buildIndex('byNamespaceName', Vertex.class).addKey(mgmt.getPropertyKey('namespace')).addKey(mgmt.getPropertyKey('name')).buildCompositeIndex()
        made << 'composite index byNamespaceName(namespace, name)'
    }
    if (!mgmt.containsGraphIndex('byTagsPending')) {
        mgmt.buildIndex('byTagsPending', Vertex.class).addKey(mgmt.getPropertyKey('tags_pending')).buildCompositeIndex()
        made << 'composite index byTagsPending(tags_pending): columns whose tags await propagation'
    }
    mgmt.commit()
    if (made.isEmpty()) {
        println "schema already complete"
    } else {
        made.each { println "created " + it }
    }

    // ---- bring every index to ENABLED ------------------------------------------------------------
    def statusesOf = { String indexName ->
        def m = graph.openManagement()
        def index = m.getGraphIndex(indexName)
        def statuses = index.getFieldKeys().collect { index.getIndexStatus(it) }
        m.rollback()
        return statuses
    }
    def awaitIndex = { String indexName, List<SchemaStatus> targets ->
        def report = ManagementSystem.awaitGraphIndexStatus(graph, indexName).status(targets as SchemaStatus[]).timeout(indexTimeoutMinutes, ChronoUnit.MINUTES).call()
        if (!report.getSucceeded()) {
            throw new IllegalStateException("index " + indexName + " did not reach " + targets + " in " + indexTimeoutMinutes +
                " minutes: " + report + ". If an earlier JanusGraph instance died without closing, list it with " +
                "mgmt.getOpenInstances() and remove it with mgmt.forceCloseInstance(id).")
        }
    }
    ['byKey', 'byEdgeKey', 'byNamespaceName', 'byTagsPending'].each { indexName ->
        def statuses = statusesOf(indexName)
        if (statuses.contains(SchemaStatus.DISABLED)) {
            throw new IllegalStateException("index " + indexName + " is DISABLED; remove it before running this script again")
        }
        if (statuses.contains(SchemaStatus.INSTALLED)) {
            println "index " + indexName + " is INSTALLED; registering it"
            def m = graph.openManagement()
            m.updateIndex(m.getGraphIndex(indexName), SchemaAction.REGISTER_INDEX).get()
            m.commit()
            awaitIndex(indexName, [SchemaStatus.REGISTERED, SchemaStatus.ENABLED])
        }
        if (!statusesOf(indexName).every { it == SchemaStatus.ENABLED }) {
            println "index " + indexName + " is REGISTERED; reindexing existing vertices"
            def m = graph.openManagement()
            m.updateIndex(m.getGraphIndex(indexName), SchemaAction.REINDEX).get()
            m.commit()
        }
        awaitIndex(indexName, [SchemaStatus.ENABLED])
        println "index " + indexName + ": ENABLED"
    }

    graph.close()
    graph = null
    println "schema ready"
} catch (Throwable t) {
    System.err.println("schema setup failed: " + t)
    t.printStackTrace()
    try { if (graph != null) graph.close() } catch (Throwable ignored) { }
    System.exit(1)
}

System.exit(0)

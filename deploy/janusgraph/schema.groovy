// Tagline's JanusGraph schema: vertex and edge labels, property keys and the indexes every lookup
// of the store (graph/*.py) is answered from, so that `query.force-index=true` holds.
//
// Two ways it runs, the same file both times:
//   * as the start-up script of JanusGraph Server (janusgraph-server.yaml, ScriptFileGremlinPlugin):
//     `make janusgraph` and the tests. The server binds `graph`; the script installs what is
//     missing and binds the traversal source `g`.
//   * in the Gremlin Console of the janusgraph/janusgraph image (docker-compose.yml):
//         bin/gremlin.sh -e /opt/tagline/schema.groovy
//     There is no `graph`, so the script opens it itself (embedded) from the image's properties
//     template, conf/janusgraph-${JANUS_PROPS_TEMPLATE}-server.properties, with every
//     `janusgraph.*` environment variable applied on top, and exits 0 or 1.
// It is idempotent: what exists is left alone, what is missing is created, and an index left
// half-built by an earlier run is registered and reindexed, until every index is ENABLED.
//
// The unique key of vertices and edges is the property `uid` (graph/schema.py KEY): JanusGraph
// reserves the names key, vertex, edge, element, property and label.
//
// What the store looks up, and the index that answers it:
//   has('uid', k) / has('uid', within(...)) on V and E    byKey (unique), byEdgeKey
//   has('tags_pending', true)                               byTagsPending
//   hasLabel('dataset').has('declared_source', true)        byDeclaredSource
//   audit log filters: column, tag, actor; `at` ranges      byAuditColumn/Tag/Actor, auditSearch (Lucene)
//   hasLabel('derives').has('expires_at', lte(now))         edgeSearch (Lucene)
//   the change log from a commit stamp on: change_at >= t    changeSearch (Lucene)
//   namespace + name                                         byNamespaceName
//   a job's runs: hasLabel('run').has('run_job', k)          byRunJob
//   every vertex or edge of a label (listings, index rebuild) byVertexLabel(vlabel), byEdgeLabel(elabel):
//                                                            a copy of the label, since no index answers
//                                                            hasLabel() alone
// Written for the console's line-by-line evaluation: after the imports, the work is one try block.

import java.time.temporal.ChronoUnit
import org.apache.tinkerpop.gremlin.structure.Edge
import org.apache.tinkerpop.gremlin.structure.Vertex
import org.janusgraph.core.Cardinality
import org.janusgraph.core.JanusGraphFactory
import org.janusgraph.core.Multiplicity
import org.janusgraph.core.schema.ConsistencyModifier
import org.janusgraph.core.schema.Mapping
import org.janusgraph.core.schema.SchemaAction
import org.janusgraph.core.schema.SchemaStatus
import org.janusgraph.graphdb.database.management.ManagementSystem

def standalone = false
try { graph } catch (MissingPropertyException ignored) { standalone = true; graph = null }

// The server evaluates its start-up script again for every session (each remote transaction of
// the store is one), so once the schema is ready in this JVM a later evaluation only binds `g`.
// Checking the schema costs a few reads on BerkeleyJE, but about a second per write on Cassandra.
def readyFlag = 'tagline.schema.ready'
if (!standalone && System.getProperty(readyFlag) == 'true') return [g : graph.traversal()]

try {
    def keyName = 'uid'

    def vertexLabels = ['dataset', 'column', 'job', 'failure', 'event', 'audit', 'change', 'meta', 'run']
    def edgeLabels = ['has_column', 'derives', 'reads', 'writes']
    // Times are ISO-8601 UTC strings, as the Python store writes them. Properties not listed here
    // are created on first use by JanusGraph's automatic schema.
    def propertyKeys = [
        (keyName)       : String,
        namespace       : String,
        name            : String,
        dataset         : String,
        field           : String,
        data_type       : String,
        kind            : String,
        description     : String,
        schedule        : String,
        last_run_at     : String,
        last_run_state  : String,
        last_run_id     : String,
        job             : String,
        type            : String,
        subtype         : String,
        masking         : Boolean,
        expression      : String,
        first_seen      : String,
        last_seen       : String,
        last_at         : String,
        expires_at      : String,
        valid_from      : String,
        valid_to        : String,
        valid_past      : String,
        definitions     : String,
        lineage_in      : String,
        lineage_out     : String,
        tags_declared   : String,
        tags_blocked    : String,
        tags_effective  : String,
        tags_pending    : Boolean,
        declared_source : Boolean,
        sensitivity     : String,
        at              : String,
        actor           : String,
        column          : String,
        tag             : String,
        change          : String,
        cause           : String,
        vlabel          : String,
        run_job         : String,
        change_at       : Long,
        elabel          : String
    ]
    def indexTimeoutMinutes = (System.getenv('TAGLINE_INDEX_TIMEOUT_MINUTES') ?: '10') as long

    // ---- console only: open the graph, waiting for the storage backend if it is not answering yet
    if (standalone) {
        def janusHome = System.getenv('JANUS_HOME') ?: '/opt/janusgraph'
        def template = System.getenv('JANUS_PROPS_TEMPLATE') ?: 'cql'
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

    // ---- indexes: created in the same transaction as new keys they are ENABLED at once ---------
    def key = { String n -> mgmt.getPropertyKey(n) }
    if (!mgmt.containsGraphIndex('byKey')) {
        def byKey = mgmt.buildIndex('byKey', Vertex.class).addKey(key(keyName)).unique().buildCompositeIndex()
        mgmt.setConsistency(byKey, ConsistencyModifier.LOCK)
        made << ('unique composite index byKey(' + keyName + ') with LOCK consistency')
    }
    if (!mgmt.containsGraphIndex('byEdgeKey')) {
        // JanusGraph refuses unique() on an edge index ("Unique indexes can only be created on
        // vertices"); an edge's key is unique because the writer looks it up before adding it.
        mgmt.buildIndex('byEdgeKey', Edge.class).addKey(key(keyName)).buildCompositeIndex()
        made << ('composite edge index byEdgeKey(' + keyName + ')')
    }
    def composite = { String indexName, List<String> keys, String onlyLabel ->
        if (!mgmt.containsGraphIndex(indexName)) {
            def builder = mgmt.buildIndex(indexName, Vertex.class)
            keys.each { builder.addKey(key(it)) }
            if (onlyLabel != null) builder.indexOnly(mgmt.getVertexLabel(onlyLabel))
            builder.buildCompositeIndex()
            made << ('composite index ' + indexName + '(' + keys.join(', ') + ')')
        }
    }
    composite('byVertexLabel', ['vlabel'], null)
    if (!mgmt.containsGraphIndex('byEdgeLabel')) {
        mgmt.buildIndex('byEdgeLabel', Edge.class).addKey(key('elabel')).buildCompositeIndex()
        made << 'composite edge index byEdgeLabel(elabel)'
    }
    composite('byNamespaceName', ['namespace', 'name'], null)
    composite('byRunJob', ['run_job'], 'run')
    composite('byTagsPending', ['tags_pending'], null)
    composite('byDeclaredSource', ['declared_source'], 'dataset')
    composite('byAuditColumn', ['column'], 'audit')
    composite('byAuditTag', ['tag'], 'audit')
    composite('byAuditActor', ['actor'], 'audit')
    // Range conditions (`at` between two times, `expires_at` before now) need the mixed index.
    if (!mgmt.containsGraphIndex('auditSearch')) {
        mgmt.buildIndex('auditSearch', Vertex.class).addKey(key('at'), Mapping.STRING.asParameter())
            .indexOnly(mgmt.getVertexLabel('audit')).buildMixedIndex('search')
        made << 'mixed index auditSearch(at)'
    }
    if (!mgmt.containsGraphIndex('changeSearch')) {
        // The change log is read by commit stamp from a point on (graph/changelog/log.py).
        // Only change vertices carry change_at, so the index needs no label restriction.
        mgmt.buildIndex('changeSearch', Vertex.class).addKey(key('change_at')).buildMixedIndex('search')
        made << 'mixed index changeSearch(change_at)'
    }
    if (!mgmt.containsGraphIndex('edgeSearch')) {
        mgmt.buildIndex('edgeSearch', Edge.class).addKey(key('expires_at'), Mapping.STRING.asParameter())
            .buildMixedIndex('search')
        made << 'mixed edge index edgeSearch(expires_at)'
    }
    mgmt.commit()
    if (made.isEmpty()) {
        println "schema already complete"
    } else {
        made.each { println "created " + it }
    }

    // ---- bring every index to ENABLED ------------------------------------------------------------
    def indexNames = ['byKey', 'byEdgeKey', 'byVertexLabel', 'byEdgeLabel', 'byNamespaceName', 'byTagsPending', 'byDeclaredSource',
                      'byRunJob', 'byAuditColumn', 'byAuditTag', 'byAuditActor', 'auditSearch', 'changeSearch', 'edgeSearch']
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
    indexNames.each { indexName ->
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
            println "index " + indexName + " is REGISTERED; reindexing existing elements"
            def m = graph.openManagement()
            m.updateIndex(m.getGraphIndex(indexName), SchemaAction.REINDEX).get()
            m.commit()
        }
        awaitIndex(indexName, [SchemaStatus.ENABLED])
    }
    println "schema ready: indexes " + indexNames.join(', ') + " ENABLED"
    if (!standalone) System.setProperty(readyFlag, 'true')
} catch (Throwable t) {
    System.err.println("schema setup failed: " + t)
    t.printStackTrace()
    // In the server too: a server without its schema would serve scans or lose the uniqueness of
    // keys, so it stops rather than starts half-configured.
    try { if (standalone && graph != null) graph.close() } catch (Throwable ignored) { }
    System.exit(1)
}

if (standalone) {
    graph.close()
    System.exit(0)
}

// In the server, the map a start-up script ends with becomes global bindings: here the traversal
// source the Python store connects to (`DriverRemoteConnection(url, 'g')`).
[g : graph.traversal()]

# xp2p for Jetty 12.1 (ee10). Unpack xp2p-jetty-module-<version>.tar.gz into $JETTY_HOME (or a base),
# then in your base: java -jar $JETTY_HOME/start.jar --add-modules=http,xp2p
# See docs/deploy-jetty.md.

[description]
xp2p: 1-to-N P2P live-video relay (http-flv relay, key service /code, WebSocket signalling),
deployed from the xp2p WAR at a configurable context path (default /xp2p).

[environment]
ee10

[tags]
xp2p
webapp

[depend]
ee10-deploy
ee10-websocket-jakarta
# a stop that waits for requests (jetty.server.stopTimeout, 5 s): meanwhile the plugin ends its viewers
# on a tag boundary (xp2p.relay.drainMillis); without it Jetty cuts them inside a tag at once
graceful

[files]
basehome:modules/xp2p.d/xp2p.war|lib/xp2p/xp2p.war

[xml]
etc/xp2p.xml

[ini-template]
## ---- deployment
## Context path the plugin is served at. Default: /xp2p
# jetty.xp2p.contextPath=/xp2p
## The WAR deployed there. Default: ${jetty.base}/lib/xp2p/xp2p.war (copied there by --add-modules)
# jetty.xp2p.war=${jetty.base}/lib/xp2p/xp2p.war
## Whether the WAR is unpacked to a temporary directory before it runs. Default: true
# jetty.xp2p.extractWar=true

## ---- xp2p settings
## Every key of conf/xp2p.properties, with its default and meaning. A key set here becomes a context
## init-parameter of the plugin, the highest-priority source (above -D system properties, environment
## variables and the xp2p.config file); a key left commented out is not set here at all.
## Values may use ${jetty.base}. Invalid values stop the deployment with one line naming the key.
##
## The plugin's state (embedded H2 key store when no DataSource is bound) lives in the base:
xp2p.data=${jetty.base}/xp2p-data
## a properties file with more xp2p.* keys. Default: unset
# xp2p.config=

## ---- database (ignored when module xp2p-jndi binds jdbc/xp2p)
## JDBC URL of the plugin's own pool: jdbc:h2:... or jdbc:postgresql://host:port/db. Default: embedded H2 <xp2p.data>/xp2p
# xp2p.jdbc.url=
## database user. Default: unset
# xp2p.jdbc.user=
## database password (masked in the startup log). Default: unset
# xp2p.jdbc.password=
## most connections the own pool opens, 1..200. Default: 10
# xp2p.jdbc.maxPoolSize=10
## wait for a connection (then 503) and for the database at startup, ms. Default: 5000
# xp2p.jdbc.connectionTimeoutMillis=5000

## ---- key service
## seconds an issued key stays valid. Default: 1800
# xp2p.key.ttlSeconds=1800
## POST /code: new codes per minute per client address (0 = no limit). Default: 60
# xp2p.key.ratePerMinute=60
## POST /code: how many codes may come at once (bucket size). Default: 20
# xp2p.key.burst=20
## shared secret (16+ chars) POST /code must carry in X-Xp2p-Secret, else 403. Default: unset
# xp2p.key.secret=
## Origins (scheme://host[:port], comma-separated) allowed to POST /code; unset = any. Default: unset
# xp2p.key.allowedOrigins=
## seconds between purges of expired keys. Default: 60
# xp2p.key.purgeSeconds=60
## rows deleted per purge batch. Default: 1000
# xp2p.key.purgeBatch=1000
## remote key lookup base, e.g. http://10.0.0.5:10030/code/ (this node then issues no keys). Default: unset
# xp2p.keyBase=
## seconds a remotely found key is cached (0 = no cache). Default: 60
# xp2p.keyBase.cacheSeconds=60
## most cached remote keys. Default: 10000
# xp2p.keyBase.cacheSize=10000
## connect and response timeout of one remote lookup, ms. Default: 2000
# xp2p.keyBase.timeoutMillis=2000

## ---- live relay
## origin base URL(s), comma-separated failover order; GET /{path}.flv pulls {origin}/{path}.flv. Default: unset
# xp2p.origin=
## seconds a pull outlives its last viewer. Default: 10
# xp2p.idleSeconds=10
## target chunk duration inside long GOPs, ms. Default: 1000
# xp2p.relay.chunkMillis=500
## seconds of chunks kept addressable by ?xp2p=chunk&seq=N. Default: 30
# xp2p.relay.windowSeconds=30
## memory bound of that window per stream, bytes. Default: 67108864
# xp2p.relay.windowMaxBytes=67108864
## a viewer queue spanning more media than this skips to the newest keyframe. Default: 3000
# xp2p.relay.skipLagMillis=3000
## skips in a row before a viewer that cannot catch up is disconnected. Default: 3
# xp2p.relay.maxSkips=3
## hard bound of one viewer's queue, bytes. Default: 8388608
# xp2p.relay.viewerMaxBytes=8388608
## wait for the origin's first bytes (then 502/504), ms. Default: 10000
# xp2p.relay.startTimeoutMillis=10000
## an origin whose media time does not advance this long is reconnected, its viewers ended, ms. Default: 10000
# xp2p.relay.readTimeoutMillis=10000
## how long a stream's media may stay stuck (failing origin, reconnects without new media) before it ends. Default: 30
# xp2p.relay.reconnectMaxSeconds=30
## first reconnect delay, ms (doubles with jitter). Default: 200
# xp2p.relay.backoffInitialMillis=200
## longest reconnect delay, ms. Default: 5000
# xp2p.relay.backoffMaxMillis=5000
## origin TCP/TLS connect timeout, ms. Default: 3000
# xp2p.relay.connectTimeoutMillis=3000
## require a valid code on every stream request and signalling join. Default: false
# xp2p.relay.requireCode=false
## per-stream authorization of stream, init, chunks and joins: none, token, callback or token-or-callback. Default: none
# xp2p.auth.mode=none
## auth callback URL (callback modes). Default: unset
# xp2p.auth.callbackUrl=
## seconds an allow/deny of the callback is cached. Default: 30
# xp2p.auth.cacheSeconds=30
## callback timeout in ms. Default: 2000
# xp2p.auth.timeoutMillis=2000
## allow when the callback cannot answer (default: refuse with 503). Default: false
# xp2p.auth.failOpen=false
## most streams on this node. Default: 10000
# xp2p.relay.maxStreams=10000
## most viewers of one stream. Default: 20000
# xp2p.relay.maxViewersPerStream=20000
## threads writing to viewers (0 = one per core). Default: 0
# xp2p.relay.fanOutThreads=0
## ms new stream data waits so each viewer gets it in one write (0 = at once; below skipLagMillis). Default: 100
# xp2p.relay.mergeMillis=100
## Access-Control-Allow-Origin on stream and chunk responses (empty = not sent). Default: *
# xp2p.relay.corsOrigin=*
## largest FLV tag body accepted from an origin, bytes (65536..16777215). Default: 8388608
# xp2p.relay.maxTagBytes=8388608
## largest sequence header or onMetaData tag, bytes (1024..maxTagBytes). Default: 65536
# xp2p.relay.maxConfigBytes=65536
## at shutdown, time for viewers to end on a tag boundary, ms (below jetty.server.stopTimeout). Default: 2000
# xp2p.relay.drainMillis=2000

## ---- swarm signalling
## who may join: none, optional (checked when given) or required. Default: optional
# xp2p.swarm.auth=optional
## HMAC key (16+ bytes) for join tokens; unset = only codes authenticate. Default: unset
# xp2p.swarm.tokenSecret=
## ICE servers for every peer, comma-separated stun:/turn: URLs. Default: unset
# xp2p.swarm.iceServers=
## the TURN server's static-auth-secret (coturn use-auth-secret): turn: entries get ephemeral credentials. Default: unset
# xp2p.swarm.turnSecret=
## how long those TURN credentials are valid, seconds, 60-86400. Default: 3600
# xp2p.swarm.turnTtlSeconds=3600
## browser Origins allowed to open the signalling WebSocket (empty = any). Default: unset
# xp2p.swarm.allowedOrigins=
## longest chain of peers below the server, 1..32. Default: 4
# xp2p.swarm.maxDepth=6
## most children per peer, 0..64 (0 = no P2P fan-out). Default: 8
# xp2p.swarm.maxSlots=8
## standby parents sent with each parent assignment. Default: 3
# xp2p.swarm.standbyCount=3
## children reporting a stall before their parent is made a leaf. Default: 2
# xp2p.swarm.stallStrikes=2
## peers in one room. Default: 1000
# xp2p.swarm.maxPeersPerRoom=1000
## signalling connections on this node. Default: 20000
# xp2p.swarm.maxPeers=20000
## rooms one connection may be in at once. Default: 4
# xp2p.swarm.maxRoomsPerConnection=4
## largest inbound signalling message, bytes. Default: 16384
# xp2p.swarm.maxMessageBytes=16384
## inbound messages per connection per second, sustained. Default: 20
# xp2p.swarm.messagesPerSecond=20
## inbound message burst per connection. Default: 60
# xp2p.swarm.messageBurst=60
## outbound messages queued for a slow connection before it is dropped. Default: 256
# xp2p.swarm.sendQueue=256
## silence after which a signalling connection is closed. Default: 45
# xp2p.swarm.idleTimeoutSeconds=45
## heartbeat periods without a message after which a joined peer is removed. Default: 2
# xp2p.swarm.silentBeats=2
## peers per room that should pull from the server (rebalancing target). Default: 1
# xp2p.swarm.serverChildren=1
## tree moves (rebalancing, swaps) per room and second for each started 1,000 members, 0 = off. Default: 20
# xp2p.swarm.rebalanceMovesPerSecond=20
## children a peer gets before its upload is measured. Default: 1
# xp2p.swarm.probeSlots=1
## upload per child in percent of the stream's bitrate. Default: 125
# xp2p.swarm.uploadHeadroomPercent=125
## seconds a parent demoted by stall reports stays a leaf, 0 = for good. Default: 60
# xp2p.swarm.demotionSeconds=60
## a stall report strikes the parent only when the child's deadline ended this many ms after the digest, 0 = always. Default: 2000
# xp2p.swarm.blameAfterMillis=2000
## no strikes while this percent of a room's members reported failing parents within 2 s, 0 = off. Default: 2
# xp2p.swarm.strikeStormPercent=2
## whether peers on cellular networks may upload. Default: false
# xp2p.swarm.uploadOnCellular=false

## ---- cluster affinity (docs/cluster.md)
## this node's public base URL (scheme://host:port[/context]). Default: unset
# xp2p.cluster.self=
## static membership: every node's base URL, comma-separated (empty = no cluster). Default: unset
# xp2p.cluster.nodes=
## static (xp2p.cluster.nodes) or database (heartbeats in the shared database). Default: static
# xp2p.cluster.membership=static
## database membership: heartbeat period, ms. Default: 1000
# xp2p.cluster.heartbeatMillis=1000
## database membership: missed beats before a member is gone. Default: 3
# xp2p.cluster.missedBeats=3
## how a non-owner answers: redirect or proxy. Default: redirect
# xp2p.cluster.mode=redirect
## redirect status: 302 or 307. Default: 302
# xp2p.cluster.redirect=302
## owner choice: rendezvous or nginx (same on every node). Default: rendezvous
# xp2p.cluster.hash=rendezvous
## proxy mode: proxied responses in flight at once. Default: 256
# xp2p.cluster.proxyMaxStreams=256
## proxy mode: connect and header timeout towards the owner, ms. Default: 5000
# xp2p.cluster.proxyConnectTimeoutMillis=5000

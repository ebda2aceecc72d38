# xp2p-jndi: a container-managed DataSource for xp2p's key store, bound at java:comp/env/jdbc/xp2p.
# java -jar $JETTY_HOME/start.jar --add-modules=xp2p-jndi, then set jetty.xp2p.jndi.* in
# start.d/xp2p-jndi.ini. See docs/deploy-jetty.md.

[description]
Binds a HikariCP pool (PostgreSQL driver included) at java:comp/env/jdbc/xp2p for module xp2p:
the plugin uses it instead of its own pool and applies its schema to it at start.

[environment]
ee10

[tags]
xp2p
jndi

[depend]
xp2p
ee10-plus

[lib]
lib/xp2p/*.jar

[xml]
etc/xp2p-jndi.xml

[ini-template]
## JDBC URL of the database holding xp2p's keys (PostgreSQL for several nodes; H2 needs the h2 jar in
## lib/xp2p/). The schema is created in whatever database/schema this connects to
## (e.g. ?currentSchema=xp2p). Default: jdbc:postgresql://127.0.0.1:5432/xp2p
# jetty.xp2p.jndi.url=jdbc:postgresql://127.0.0.1:5432/xp2p
## JDBC driver class. Default: org.postgresql.Driver
# jetty.xp2p.jndi.driver=org.postgresql.Driver
## Database user. Default: xp2p
# jetty.xp2p.jndi.user=xp2p
## Database password. Default: empty
# jetty.xp2p.jndi.password=
## Most connections in the pool. Default: 10
# jetty.xp2p.jndi.maxPoolSize=10
## Fewest idle connections kept open. Default: 2
# jetty.xp2p.jndi.minIdle=2
## How long a request waits for a connection, ms (the plugin answers 503 past it). Default: 5000
# jetty.xp2p.jndi.connectionTimeoutMillis=5000
## How long Jetty's start waits for the database before failing, ms (-1: do not wait, fail later
## on first use). Default: 5000
# jetty.xp2p.jndi.initializationFailTimeoutMillis=5000

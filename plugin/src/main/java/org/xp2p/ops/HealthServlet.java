package org.xp2p.ops;

import org.xp2p.common.Json;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.sql.Connection;
import java.sql.SQLException;
import org.xp2p.http.JsonResponse;
import org.xp2p.store.Database;

/**
 * {@code GET /xp2p/health}: 200 {@code {"status":"up","database":"up"}} when this node can serve,
 * 503 with {@code "database":"down"} when its database does not answer within a second — the
 * key service and database membership depend on it, so a load balancer should route elsewhere.
 */
final class HealthServlet extends HttpServlet {
    private final transient Database db;

    HealthServlet(Database db) {
        this.db = db;
    }

    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        boolean dbUp;
        try (Connection c = db.dataSource().getConnection()) {
            dbUp = c.isValid(1);
        } catch (SQLException | RuntimeException e) {
            dbUp = false;
        }
        String state = dbUp ? "up" : "down";
        JsonResponse.send(resp, dbUp ? 200 : 503, Json.object().put("status", state).put("database", state).end());
    }
}

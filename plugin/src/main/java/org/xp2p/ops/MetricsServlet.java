package org.xp2p.ops;

import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.ByteArrayOutputStream;
import java.io.IOException;

/**
 * {@code GET /xp2p/metrics}: the node's registry in the Prometheus text exposition format (0.0.4),
 * written by the Prometheus Java client's text writer (docs/PROTOCOL.md section 2.5).
 */
final class MetricsServlet extends HttpServlet {
    private final transient Xp2pMetrics metrics;
    private final transient PrometheusTextFormatWriter writer = PrometheusTextFormatWriter.create();

    MetricsServlet(Xp2pMetrics metrics) {
        this.metrics = metrics;
    }

    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        ByteArrayOutputStream body = new ByteArrayOutputStream(8192);
        writer.write(body, metrics.registry().scrape());
        resp.setContentType(PrometheusTextFormatWriter.CONTENT_TYPE);
        resp.setHeader("Cache-Control", "no-store");
        resp.setContentLength(body.size());
        body.writeTo(resp.getOutputStream());
    }
}

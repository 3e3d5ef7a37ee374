package dev.penwright.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;

import org.junit.jupiter.api.Test;

class MetricsTest {
    @Test
    void exposesCountersHistogramsAndGaugesInPrometheusTextFormat() {
        Metrics metrics = new Metrics();
        metrics.request("/v1/generate", "POST", 200, 0.2);
        metrics.request("/v1/generate", "POST", 200, 3.0);
        metrics.request("/v1/generate", "POST", 429, 0.001);
        metrics.generation("house", "ok", 0.3, 40);
        metrics.generation("", "queue_full", 0.0, 0);
        String text = metrics.scrape(Map.of("penwright_queue_waiting", 2.0));
        assertTrue(text.contains("penwright_http_requests_total{route=\"/v1/generate\",method=\"POST\",status=\"200\"}"
                + " 2\n"), text);
        assertTrue(text.contains("penwright_http_request_duration_seconds_bucket{route=\"/v1/generate\",le=\"0.25\"}"
                + " 2\n"), text);
        assertTrue(text.contains("penwright_http_request_duration_seconds_bucket{route=\"/v1/generate\",le=\"+Inf\"}"
                + " 3\n"), text);
        assertTrue(text.contains("penwright_http_request_duration_seconds_count{route=\"/v1/generate\"} 3\n"), text);
        assertTrue(text.contains("penwright_generations_total{style=\"(base)\",outcome=\"queue_full\"} 1\n"), text);
        // No registry knows "house" here: a style id no pack has is never a label of its own.
        assertTrue(text.contains("penwright_generated_tokens_total{style=\"unknown\"} 40\n"), text);
        assertTrue(text.contains("penwright_queue_waiting 2\n"), text);
        assertEquals(40 / 60.0, metrics.tokensPerSecond(), 1e-9);
        for (String line : text.split("\n")) {
            assertTrue(line.startsWith("# HELP ") || line.startsWith("# TYPE ")
                    || line.matches("[a-z_]+(\\{[^}]*\\})? -?[0-9.e+-]+"), line);
        }
    }

    @Test
    void errorMessagesKeepFileNamesNotServerPaths() {
        assertEquals("cannot load adapter_model.safetensors: wrong shape for the base model at tiny (see v1/x)",
                JsonResponses.withoutPaths("cannot load /tmp/junit-1/tmp/felix/bundle30/data/packs/34-1/"
                        + "adapter_model.safetensors: wrong shape for the base model at /tmp/junit-1/models/tiny"
                        + " (see v1/x)"));
        assertEquals("from pack.jar", JsonResponses.withoutPaths("from file:/srv/deploy/pack.jar"));
    }

    @Test
    void labelValuesAreEscaped() {
        assertEquals("style=\"a\\\"b\\\\c\\nd\"", Metrics.labels("style", "a\"b\\c\nd"));
        assertEquals("style=\"a?b?\"", Metrics.labels("style", "a\rb\u0001"));
    }
}

package dev.penwright.runtime;

import static dev.penwright.runtime.ApiRoutesTest.assertError;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bound beyond loopback, the server refuses every route but /health until API keys are configured, then accepts
 * only those keys; a key added to etc/ applies live.
 */
class ApiKeysTest {
    @TempDir
    static Path work;
    static ServerProcess server;

    @BeforeAll
    static void start() throws Exception {
        server = ServerProcess.start(work, Files.createDirectories(work.resolve("deploy")),
                Files.createDirectories(work.resolve("models")), "0.0.0.0", Map.of());
    }

    @AfterAll
    static void stop() throws Exception {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void keysAreRequiredOffLoopbackAndApplyLive() throws Exception {
        assertEquals(200, server.get("/health").statusCode());
        for (String path : new String[] {"/v1/styles", "/v1/models", "/metrics", "/v1/jobs", "/nope"}) {
            assertError(401, "api_keys_not_configured", server.get(path));
        }
        assertError(401, "api_keys_not_configured", server.post("/v1/generate", "{\"material\":\"x\"}"));

        Path cfg = server.home.resolve("etc/dev.penwright.server.cfg");
        Files.writeString(cfg.resolveSibling(".server.tmp"), "apiKeys = first-key, second-key\n");
        Files.move(cfg.resolveSibling(".server.tmp"), cfg);
        long deadline = System.nanoTime() + 15_000_000_000L;
        while (System.nanoTime() < deadline && server.get("/v1/styles").body().contains("api_keys_not_configured")) {
            Thread.sleep(50);
        }
        assertError(401, "unauthorized", server.get("/v1/styles"));
        assertEquals(200, with("Authorization", "Bearer first-key", "/v1/styles").statusCode());
        assertEquals(200, with("X-API-Key", "second-key", "/v1/models").statusCode());
        assertError(401, "unauthorized", with("Authorization", "Bearer first-ke", "/v1/styles"));
        assertError(401, "unauthorized", with("Authorization", "Basic Zmlyc3Qta2V5", "/v1/styles"));
        assertError(404, "not_found", with("X-API-Key", "first-key", "/nope"));
        assertEquals(200, server.get("/health").statusCode());
    }

    private static HttpResponse<String> with(String header, String value, String path) throws Exception {
        return server.send(HttpRequest.newBuilder(server.uri(path)).header(header, value).GET());
    }
}

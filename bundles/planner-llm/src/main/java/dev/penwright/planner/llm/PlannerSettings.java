package dev.penwright.planner.llm;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * The checked settings of one LLM planner, read from its factory configuration. Every bad value is reported by
 * name. The API key is held here but never printed: {@link #toString()} masks it.
 */
record PlannerSettings(String id, Provider provider, String baseUrl, String model, String apiKey,
                       Duration timeout, int maxRetries, FailurePolicy onInvalid, FailurePolicy onError,
                       int maxConcurrent, double temperature, boolean jsonMode, String promptTemplate) {

    enum Provider {
        OPENAI("https://api.openai.com/v1"), OLLAMA("http://localhost:11434");

        final String defaultBaseUrl;

        Provider(String defaultBaseUrl) {
            this.defaultBaseUrl = defaultBaseUrl;
        }
    }

    static final String DEFAULT_PROMPT = "default-prompt.txt";

    /**
     * @param properties the configuration's properties
     * @param environment looks up environment variables (System::getenv at run time)
     */
    static PlannerSettings fromProperties(Map<String, ?> properties, Function<String, String> environment)
            throws IOException {
        String id = text(properties, "id");
        if (id.isEmpty()) {
            throw new IllegalArgumentException("id is required: the planner's name, chosen per request");
        }
        if (id.equals("extractive")) {
            throw new IllegalArgumentException("id 'extractive' is taken by the embedded planner; choose another");
        }
        String providerName = text(properties, "provider").toLowerCase(Locale.ROOT);
        Provider provider = switch (providerName) {
            case "", "openai" -> Provider.OPENAI;
            case "ollama" -> Provider.OLLAMA;
            default -> throw new IllegalArgumentException("provider must be 'openai' or 'ollama', not '"
                    + providerName + "'");
        };
        String baseUrl = text(properties, "baseUrl");
        if (baseUrl.isEmpty()) {
            baseUrl = provider.defaultBaseUrl;
        }
        URI uri = URI.create(baseUrl);
        if (uri.getScheme() == null || !uri.getScheme().startsWith("http") || uri.getHost() == null) {
            throw new IllegalArgumentException("baseUrl must be an http(s) URL, not '" + baseUrl + "'");
        }
        baseUrl = baseUrl.replaceAll("/+$", "");
        String model = text(properties, "model");
        if (model.isEmpty()) {
            throw new IllegalArgumentException("model is required for planner '" + id + "'");
        }
        String apiKey = text(properties, "apiKey");
        String apiKeyEnv = text(properties, "apiKeyEnv");
        if (apiKey.isEmpty() && !apiKeyEnv.isEmpty()) {
            String fromEnv = environment.apply(apiKeyEnv);
            if (fromEnv == null || fromEnv.isBlank()) {
                throw new IllegalArgumentException("apiKeyEnv names " + apiKeyEnv + ", which is not set");
            }
            apiKey = fromEnv.strip();
        }
        int timeoutSeconds = integer(properties, "timeoutSeconds", 60, 1);
        int maxRetries = integer(properties, "maxRetries", 2, 0);
        int maxConcurrent = integer(properties, "maxConcurrent", 4, 1);
        double temperature = number(properties, "temperature", 0.2);
        if (temperature < 0 || temperature > 2) {
            throw new IllegalArgumentException("temperature must be within 0..2, not " + temperature);
        }
        Object json = properties.get("jsonMode");
        boolean jsonMode = json == null || Boolean.parseBoolean(json.toString().strip());
        String templatePath = text(properties, "promptTemplate");
        String template = templatePath.isEmpty() ? defaultPrompt() : readTemplate(Path.of(templatePath));
        return new PlannerSettings(id, provider, baseUrl, model, apiKey, Duration.ofSeconds(timeoutSeconds),
                maxRetries, FailurePolicy.parse("onInvalid", properties.get("onInvalid")),
                FailurePolicy.parse("onError", properties.get("onError")), maxConcurrent, temperature, jsonMode,
                template);
    }

    static String defaultPrompt() throws IOException {
        try (InputStream in = PlannerSettings.class.getResourceAsStream(DEFAULT_PROMPT)) {
            if (in == null) {
                throw new IOException("built-in prompt template " + DEFAULT_PROMPT + " is missing from the bundle");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static String readTemplate(Path path) throws IOException {
        if (!Files.isRegularFile(path)) {
            throw new IllegalArgumentException("promptTemplate " + path + " is not a readable file");
        }
        String template = Files.readString(path, StandardCharsets.UTF_8);
        if (!template.contains("{{brief}}") && !template.contains("{{article}}")) {
            throw new IllegalArgumentException("promptTemplate " + path
                    + " uses neither {{brief}} nor {{article}}: the model would never see the material");
        }
        return template;
    }

    private static String text(Map<String, ?> properties, String key) {
        Object v = properties.get(key);
        return v == null ? "" : v.toString().strip();
    }

    private static int integer(Map<String, ?> properties, String key, int fallback, int min) {
        String v = text(properties, key);
        if (v.isEmpty()) {
            return fallback;
        }
        try {
            int n = Integer.parseInt(v);
            if (n < min) {
                throw new IllegalArgumentException(key + " must be at least " + min + ", not " + n);
            }
            return n;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(key + " must be a whole number, not '" + v + "'");
        }
    }

    private static double number(Map<String, ?> properties, String key, double fallback) {
        String v = text(properties, key);
        if (v.isEmpty()) {
            return fallback;
        }
        try {
            return Double.parseDouble(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(key + " must be a number, not '" + v + "'");
        }
    }

    /** Removes the API key from a text that might echo it (an endpoint's error body, say). */
    String scrub(String text) {
        if (text == null) {
            return "";
        }
        return apiKey.isEmpty() ? text : text.replace(apiKey, "***");
    }

    @Override
    public String toString() {
        return "PlannerSettings[id=" + id + ", provider=" + provider + ", baseUrl=" + baseUrl + ", model=" + model
                + ", apiKey=" + (apiKey.isEmpty() ? "(none)" : "***") + ", timeout=" + timeout + ", maxRetries="
                + maxRetries + ", onInvalid=" + onInvalid + ", onError=" + onError + ", maxConcurrent="
                + maxConcurrent + ", temperature=" + temperature + ", jsonMode=" + jsonMode + "]";
    }
}

package dev.penwright.styler.remote;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.penwright.api.generate.GenerationOptions;
import org.junit.jupiter.api.Test;

/**
 * What Penwright sends, against the example bodies the servers document: vLLM's LoRA guide (load and unload API,
 * completions with an adapter as the model), Ray Serve LLM's multi-LoRA guide ({@code base:adapter}) and LoRAX's
 * README ({@code /generate} with {@code parameters.adapter_id}, and a local adapter source). Every documented field
 * must be sent with the documented value; every other field must be one the server's request schema defines, or
 * one of Penwright's copy-aware extensions.
 */
class BackendProtocolTest {
    static final ObjectMapper JSON = new ObjectMapper();
    /** vLLM's CompletionRequest (OpenAI's fields and vLLM's extra sampling parameters) that Penwright may send. */
    static final Set<String> VLLM_FIELDS = Set.of("model", "prompt", "max_tokens", "temperature", "top_p", "top_k",
            "repetition_penalty", "seed", "stop", "stream", "stream_options");
    /** LoRAX's (TGI's) generate Parameters that Penwright may send. */
    static final Set<String> LORAX_PARAMETERS = Set.of("adapter_id", "adapter_source", "max_new_tokens", "do_sample",
            "temperature", "top_p", "top_k", "repetition_penalty", "seed", "stop", "details");
    static final Set<String> COPY_AWARE = Set.of("copy_bias", "fact_guard", "min_coverage");

    /** Exactly the documented sampling: nothing Penwright would add beyond it. */
    static GenerationOptions documented(int maxTokens, double temperature) {
        return new GenerationOptions(maxTokens, temperature, 0, 1.0, 1.0, null, List.of());
    }

    static JsonNode json(Object body) {
        return JSON.valueToTree(body);
    }

    /** Documented fields equal (numbers by value), other fields allowed by the schema. */
    static void assertMatches(String documented, JsonNode sent, Set<String> allowed) throws Exception {
        JsonNode doc = JSON.readTree(documented);
        for (Iterator<Map.Entry<String, JsonNode>> it = doc.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> field = it.next();
            JsonNode value = sent.get(field.getKey());
            assertTrue(value != null, "missing documented field " + field.getKey() + " in " + sent);
            if (field.getValue().isObject()) {
                assertMatches(field.getValue().toString(), value, LORAX_PARAMETERS);
            } else {
                assertTrue(field.getValue().equals((a, b) -> a.isNumber() && b.isNumber()
                        ? Double.compare(a.asDouble(), b.asDouble()) : a.equals(b) ? 0 : 1, value),
                        field.getKey() + ": documented " + field.getValue() + ", sent " + value);
            }
        }
        for (Iterator<String> it = sent.fieldNames(); it.hasNext(); ) {
            String name = it.next();
            assertTrue(doc.has(name) || allowed.contains(name) || COPY_AWARE.contains(name),
                    "sent a field the server does not define: " + name);
        }
    }

    @Test
    void loadAndUnloadBodiesAreVllmsExamples() throws Exception {
        assertEquals(JSON.readTree("{\"lora_name\": \"sql_adapter\", \"lora_path\": \"/path/to/sql-lora-adapter\"}"),
                json(BackendProtocol.loadBody("sql_adapter", "/path/to/sql-lora-adapter")));
        assertEquals(JSON.readTree("{\"lora_name\": \"sql_adapter\"}"), json(BackendProtocol.unloadBody("sql_adapter")));
    }

    @Test
    void completionWithAnAdapterAsTheModelIsVllmsExample() throws Exception {
        Map<String, Object> sent = BackendProtocol.renderBody(RemoteSettings.Selection.MODEL, "meta-llama/Llama-2-7b-hf",
                "sql-lora", false, "San Francisco is a", documented(7, 0), false);
        String example = "{\"model\": \"sql-lora\", \"prompt\": \"San Francisco is a\", \"max_tokens\": 7, "
                + "\"temperature\": 0}";
        assertMatches(example, json(sent), VLLM_FIELDS);
        assertEquals(Set.of("model", "prompt", "max_tokens", "temperature"), json(sent).properties().stream()
                .map(Map.Entry::getKey).collect(java.util.stream.Collectors.toSet()), "nothing beyond the example");
        assertEquals("/v1/completions", BackendProtocol.renderPath(RemoteSettings.Selection.MODEL));
    }

    @Test
    void streamedSampledCopyAwareCompletionsOnlyAddSchemaFields() throws Exception {
        GenerationOptions options = new GenerationOptions(64, 0.7, 40, 0.9, 1.1, 7L, List.of("\n\n"), 2.0, true, 0.6);
        JsonNode sent = json(BackendProtocol.renderBody(RemoteSettings.Selection.MODEL, "base", "jargon@0123456789ab",
                false, "<|plan|>x<|text|>", options, true));
        assertMatches("{\"model\": \"jargon@0123456789ab\", \"stream\": true}", sent, VLLM_FIELDS);
        assertEquals(40, sent.get("top_k").asInt());
        assertEquals(1.1, sent.get("repetition_penalty").asDouble());
        assertEquals(2.0, sent.get("copy_bias").asDouble());
        assertTrue(sent.get("fact_guard").asBoolean());
        assertEquals(0.6, sent.get("min_coverage").asDouble());
        assertTrue(sent.path("stream_options").path("include_usage").asBoolean());
    }

    @Test
    void modelPrefixIsRayServesBaseColonAdapter() throws Exception {
        JsonNode sent = json(BackendProtocol.renderBody(RemoteSettings.Selection.MODEL_PREFIX, "qwen-0.5b",
                "lora_model_1_ckpt", false, "Test prompt", documented(16, 0), false));
        assertMatches("{\"model\": \"qwen-0.5b:lora_model_1_ckpt\", \"prompt\": \"Test prompt\"}", sent, VLLM_FIELDS);
    }

    @Test
    void adapterIdIsLoraxsGenerateExample() throws Exception {
        String prompt = "[INST] Natalia sold clips to 48 of her friends in April, and then she sold half as many "
                + "clips in May. How many clips did Natalia sell altogether in April and May? [/INST]";
        String adapter = "vineetsharma/qlora-adapter-Mistral-7B-Instruct-v0.1-gsm8k";
        JsonNode sent = json(BackendProtocol.renderBody(RemoteSettings.Selection.ADAPTER_ID, "mistral", adapter, false,
                prompt, documented(64, 0), false));
        assertMatches("{\"inputs\": \"" + prompt + "\", \"parameters\": {\"max_new_tokens\": 64, \"adapter_id\": \""
                + adapter + "\"}}", sent, Set.of("inputs", "parameters"));
        assertEquals(false, sent.path("parameters").path("do_sample").asBoolean(true), "greedy is do_sample false");
        assertTrue(!sent.path("parameters").has("temperature"), "LoRAX refuses temperature 0");
        assertEquals("/generate_stream", BackendProtocol.renderPath(RemoteSettings.Selection.ADAPTER_ID));
    }

    @Test
    void aLocalAdapterIsLoraxsLocalSource() throws Exception {
        JsonNode sent = json(BackendProtocol.renderBody(RemoteSettings.Selection.ADAPTER_ID, "mistral",
                "/data/adapters/jargon@0123456789ab", true, "Why is the sky blue?", documented(32, 0.8), true));
        assertMatches("{\"inputs\": \"Why is the sky blue?\", \"parameters\": {\"adapter_id\": "
                + "\"/data/adapters/jargon@0123456789ab\", \"adapter_source\": \"local\", \"max_new_tokens\": 32, "
                + "\"temperature\": 0.8, \"do_sample\": true}}", sent, Set.of("inputs", "parameters"));
    }

    @Test
    void streamedEventsOfBothServersAreRead() throws Exception {
        var openAi = BackendProtocol.read(JSON.readTree("{\"id\":\"cmpl-1\",\"object\":\"text_completion\","
                + "\"created\":1,\"model\":\"sql-lora\",\"choices\":[{\"index\":0,\"text\":\" city\",\"logprobs\":null,"
                + "\"finish_reason\":null}]}"));
        assertEquals(" city", openAi.text());
        assertEquals(null, openAi.finishReason());
        var last = BackendProtocol.read(JSON.readTree("{\"choices\":[{\"index\":0,\"text\":\"\",\"finish_reason\":"
                + "\"length\"}]}"));
        assertEquals("length", last.finishReason());
        var usage = BackendProtocol.read(JSON.readTree("{\"choices\":[],\"usage\":{\"prompt_tokens\":5,"
                + "\"completion_tokens\":7,\"total_tokens\":12}}"));
        assertEquals(5, usage.promptTokens());
        assertEquals(7, usage.completionTokens());
        var lorax = BackendProtocol.read(JSON.readTree("{\"token\":{\"id\":5,\"text\":\" Ray\",\"logprob\":-0.1,"
                + "\"special\":false},\"generated_text\":null,\"details\":null}"));
        assertEquals(" Ray", lorax.text());
        var loraxEnd = BackendProtocol.read(JSON.readTree("{\"token\":{\"id\":2,\"text\":\"</s>\",\"logprob\":0,"
                + "\"special\":true},\"generated_text\":\" Rayleigh\",\"details\":{\"finish_reason\":\"eos_token\","
                + "\"generated_tokens\":3}}"));
        assertEquals("", loraxEnd.text());
        assertEquals("stop", loraxEnd.finishReason());
        assertEquals(3, loraxEnd.completionTokens());
        assertEquals("stop", BackendProtocol.read(JSON.readTree("{\"generated_text\":\" Rayleigh scattering\"}"))
                .finishReason());
        assertThrows(IllegalArgumentException.class, () -> BackendProtocol.read(JSON.readTree("{\"hello\":1}")));
        assertThrows(BackendProtocol.BackendError.class, () -> BackendProtocol.read(JSON.readTree(
                "{\"error\":{\"message\":\"The model `x` does not exist.\",\"type\":\"NotFoundError\",\"code\":404}}")));
    }
}

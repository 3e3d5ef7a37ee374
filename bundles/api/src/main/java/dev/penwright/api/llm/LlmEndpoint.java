package dev.penwright.api.llm;

import java.io.IOException;

import org.osgi.annotation.versioning.ProviderType;

/**
 * A large language model endpoint configured in this runtime (each LLM planner's configuration registers one, under
 * the planner's id), for uses other than planning: the benchmark's LLM few-shot row, LLM judges. It answers free
 * text, not JSON.
 */
@ProviderType
public interface LlmEndpoint {
    /** Service property: the endpoint's id, the same as its planner's. */
    String ID = "penwright.llm.id";

    String id();

    /** The provider's model name, for reports (such as {@code gpt-4o-mini}). */
    String model();

    /**
     * One chat turn.
     *
     * @param system    the system message, or empty for none
     * @param user      the user message
     * @param maxTokens upper bound on the answer's tokens (0: the endpoint's default)
     * @return the assistant's answer
     * @throws IOException when the endpoint fails or answers nothing
     */
    String chat(String system, String user, int maxTokens) throws IOException;
}

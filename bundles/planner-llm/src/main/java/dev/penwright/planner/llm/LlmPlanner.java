package dev.penwright.planner.llm;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.penwright.api.plan.ContentPlan;
import dev.penwright.api.plan.Material;
import dev.penwright.api.plan.Planner;
import dev.penwright.api.plan.PlanningException;
import dev.penwright.api.plan.TokenUsage;

/**
 * A planner that asks a frozen LLM for the plan as JSON, checks it, and asks again (showing the model what was
 * wrong) a bounded number of times. Endpoint errors that may pass (timeouts, 429, 5xx) are retried within the same
 * budget, with a short back-off; the others end the attempt at once. What happens then is configured: a
 * {@link PlanningException} that says why, or the extractive planner's plan. At most {@code maxConcurrent} plans are
 * in flight; a caller waits for a slot no longer than the timeout.
 */
final class LlmPlanner implements Planner {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(LlmPlanner.class);
    private static final long MAX_BACKOFF_MILLIS = 2_000;

    private final PlannerSettings settings;
    private final ChatModel model;
    private final Supplier<Planner> fallback;
    private final Semaphore slots;
    private final PlanParser parser = new PlanParser();

    LlmPlanner(PlannerSettings settings, ChatModel model, Supplier<Planner> fallback) {
        this.settings = settings;
        this.model = model;
        this.fallback = fallback;
        this.slots = new Semaphore(settings.maxConcurrent(), true);
    }

    @Override
    public String id() {
        return settings.id();
    }

    @Override
    public ContentPlan plan(Material material) throws PlanningException {
        if (material == null || material.isEmpty()) {
            throw new PlanningException("the material is empty: give a brief, facts or a source article");
        }
        try {
            if (!slots.tryAcquire(settings.timeout().toMillis(), TimeUnit.MILLISECONDS)) {
                throw new PlanningException("planner '" + id() + "' is busy: " + settings.maxConcurrent()
                        + " plans in flight and none finished within " + settings.timeout().toSeconds() + " s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PlanningException("interrupted while waiting for planner '" + id() + "'", e);
        }
        Thread thread = Thread.currentThread();
        ClassLoader previous = thread.getContextClassLoader();
        // langchain4j looks up optional services through the context class loader; in OSGi make it this bundle's.
        thread.setContextClassLoader(LlmPlanner.class.getClassLoader());
        try {
            return attempt(material);
        } finally {
            thread.setContextClassLoader(previous);
            slots.release();
        }
    }

    private ContentPlan attempt(Material material) throws PlanningException {
        List<ChatMessage> messages = new ArrayList<>();
        messages.add(SystemMessage.from(Prompts.SYSTEM));
        messages.add(UserMessage.from(Prompts.render(settings.promptTemplate(), material)));
        TokenUsage usage = TokenUsage.NONE;
        String lastProblem = "";
        boolean lastWasInvalidOutput = false;
        int attempts = settings.maxRetries() + 1;
        for (int attempt = 1; attempt <= attempts; attempt++) {
            ChatResponse response;
            try {
                response = model.chat(ChatRequest.builder().messages(messages).build());
            } catch (RuntimeException e) {
                EndpointError error = EndpointError.of(e, settings);
                lastProblem = error.message();
                lastWasInvalidOutput = false;
                LOG.warn("planner {}: attempt {}/{}: {}", id(), attempt, attempts,
                        error.message());
                if (!error.retriable()) {
                    break;
                }
                if (attempt < attempts) {
                    backOff(attempt);
                }
                continue;
            }
            usage = usage.plus(usageOf(response));
            String answer = response.aiMessage() == null ? null : response.aiMessage().text();
            PlanParser.Result result = parser.parse(answer, material, id(), usage);
            if (result.valid()) {
                return result.plan();
            }
            lastProblem = result.problem();
            lastWasInvalidOutput = true;
            LOG.warn("planner {}: attempt {}/{} gave an invalid plan: {}", id(),
                    attempt, attempts, lastProblem);
            messages.add(AiMessage.from(answer == null || answer.isBlank() ? "(empty)" : answer));
            messages.add(UserMessage.from(Prompts.correction(lastProblem)));
        }
        String why = lastWasInvalidOutput
                ? "planner '" + id() + "': model " + settings.model() + " gave no valid plan in " + attempts
                        + " attempt(s); last problem: " + lastProblem
                : "planner '" + id() + "': " + lastProblem;
        FailurePolicy policy = lastWasInvalidOutput ? settings.onInvalid() : settings.onError();
        if (policy == FailurePolicy.FAIL) {
            throw new PlanningException(why);
        }
        return fallBack(material, why, usage);
    }

    private ContentPlan fallBack(Material material, String why, TokenUsage spent) throws PlanningException {
        Planner extractive = fallback.get();
        if (extractive == null) {
            throw new PlanningException(why + "; and the fallback planner 'extractive' is not available");
        }
        LOG.warn("{}; falling back to the extractive planner", why);
        ContentPlan plan = extractive.plan(material);
        // The plan is the extractive planner's; the tokens spent trying the model are still counted.
        return new ContentPlan(plan.title(), plan.summary(), PlanParser.withMaterialFacts(material, plan.keyFacts()),
                plan.neutralDraft(), plan.language(), plan.plannerId(), plan.usage().plus(spent), plan.numberedItems(),
                plan.verbatimBlocks());
    }

    private static TokenUsage usageOf(ChatResponse response) {
        var u = response.tokenUsage();
        if (u == null) {
            return TokenUsage.NONE;
        }
        return new TokenUsage(u.inputTokenCount() == null ? 0 : u.inputTokenCount(),
                u.outputTokenCount() == null ? 0 : u.outputTokenCount());
    }

    private void backOff(int attempt) throws PlanningException {
        long millis = Math.min(MAX_BACKOFF_MILLIS, 250L << (attempt - 1));
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PlanningException("interrupted while retrying planner '" + id() + "'", e);
        }
    }
}

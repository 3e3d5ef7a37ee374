package dev.penwright.engine.styler;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

import dev.penwright.api.generate.GenerationOptions;
import dev.penwright.api.style.StyleVocabulary;
import dev.penwright.api.plan.ContentPlan;
import dev.penwright.api.style.PromptTemplate;
import dev.penwright.api.style.StyledText;
import dev.penwright.api.style.TokenListener;
import dev.penwright.engine.GenerateRequest;
import dev.penwright.engine.Generation;
import dev.penwright.engine.LanguageModel;
import dev.penwright.engine.LoraAdapter;
import dev.penwright.engine.PlanContext;

/**
 * Renders a plan whose draft is too long for one prompt, section by section ({@link DraftSections}). Each section's
 * prompt is the plan with that section as its draft, followed, after the template's text marker, by the last tokens
 * the text so far ended with: the model continues the text instead of starting a new one, and the copy cursor walks
 * the section. A section ends where the model ends its text (copy-aware decoding holds that end until the section is
 * written); the texts are joined as the model wrote them. One request's new tokens (maxNewTokens) are shared by all
 * sections, and a stop string ends the whole text.
 */
final class SectionedRendering {
    private final LanguageModel model;
    private final LoraAdapter adapter;
    private final PromptTemplate template;
    private final ContentPlan plan;
    private final GenerationOptions options;
    private final StyleVocabulary vocabulary;
    /** The dash the style signs with (empty for any). */
    private final String signOffDash;
    private final TokenListener listener;
    private final String modelId;
    private final String packRef;
    private final List<DraftSections.Section> sections;

    private final StringBuilder text = new StringBuilder();
    /** The ids written so far, without the end-of-text tokens that ended sections. */
    private final List<Long> written = new ArrayList<>();
    private int promptTokens;
    private int completionTokens;
    private String finishReason = "length";

    SectionedRendering(LanguageModel model, LoraAdapter adapter, PromptTemplate template, ContentPlan plan,
                       GenerationOptions options, StyleVocabulary vocabulary, String signOffDash, TokenListener listener,
                       String modelId,
                       String packRef, List<DraftSections.Section> sections) {
        this.model = model;
        this.adapter = adapter;
        this.template = template;
        this.plan = plan;
        this.options = options;
        this.vocabulary = vocabulary;
        this.signOffDash = signOffDash;
        this.listener = listener;
        this.modelId = modelId;
        this.packRef = packRef;
        this.sections = List.copyOf(sections);
    }

    CompletionStage<StyledText> start() {
        return render(0);
    }

    private CompletionStage<StyledText> render(int k) {
        int left = options.maxNewTokens() - completionTokens;
        if (k == sections.size() || left <= 0) {
            return CompletableFuture.completedFuture(result(k));
        }
        DraftSections.Section section = sections.get(k);
        String prompt = template.render(StyleRenderer.withDraft(plan, section.draft()));
        long[] head = model.encode(prompt);
        long[] tail = written.subList(Math.max(0, written.size() - StyleRenderer.SECTION_TAIL_TOKENS), written.size())
                .stream().mapToLong(Long::longValue).toArray();
        long[] ids = Arrays.copyOf(head, head.length + tail.length);
        System.arraycopy(tail, 0, ids, head.length, tail.length);
        int room = model.config().maxPositions() - ids.length;
        if (room <= 0) {
            return CompletableFuture.completedFuture(result(k));
        }
        GenerationOptions sectionOptions = options.withMaxNewTokens(Math.min(left, room));
        PlanContext planContext = null;
        if (sectionOptions.isCopyAware()) {
            int[] span = StyleRenderer.planSpan(model, template, new StyleRenderer.Fitted(prompt, 0, ids, 0, false));
            if (span != null) {
                // Only the last section ends the text: a signature goes there, not before another section's last
                // sentence.
                planContext = PlanContext.span(ids, span[0], span[1], vocabulary.words())
                        .withForm(k == sections.size() - 1 ? vocabulary : vocabulary.withSignsOff(false))
                        .withSignOffDash(signOffDash)
                        .withCopySource(model.encode(section.copySource(), false))
                        .withVerbatim(VerbatimBlocks.byteSpans(section.copySource(), plan.verbatimBlocks()));
            }
        }
        GenerateRequest request = new GenerateRequest(ids, sectionOptions, adapter, (id, lp, piece) -> {
            if (!piece.isEmpty()) {
                listener.onText(piece);
            }
        }, planContext);
        return model.submit(request).thenCompose(g -> {
            promptTokens += g.promptTokens();
            completionTokens += g.tokenIds().size();
            finishReason = g.finishReason();
            List<Integer> generated = g.tokenIds();
            if ("eos".equals(g.finishReason()) && !generated.isEmpty()) {
                generated = generated.subList(0, generated.size() - 1);
            }
            text.append(k == 0 || "stop".equals(g.finishReason()) ? orEmpty(g) : continuation(tail, generated, g));
            generated.forEach(id -> written.add(id.longValue()));
            return "stop".equals(g.finishReason()) ? CompletableFuture.completedFuture(result(sections.size()))
                    : render(k + 1);
        });
    }

    /**
     * The text a section's tokens add after the tail they continue: decoded together with it, as a tokenizer that
     * drops a text's leading space (SentencePiece) would drop the space between two sections if decoded alone.
     */
    private String continuation(long[] tail, List<Integer> generated, Generation g) {
        long[] both = Arrays.copyOf(tail, tail.length + generated.size());
        for (int i = 0; i < generated.size(); i++) {
            both[tail.length + i] = generated.get(i);
        }
        String before = model.decode(tail);
        String after = model.decode(both);
        return after.startsWith(before) ? after.substring(before.length()) : orEmpty(g);
    }

    private static String orEmpty(Generation g) {
        return g.text() == null ? "" : g.text();
    }

    /** The joined text; its plan counts as cut when sections were left unwritten. */
    private StyledText result(int rendered) {
        return new StyledText(text.toString(), modelId, packRef, promptTokens, completionTokens, finishReason, 0,
                rendered < sections.size());
    }
}

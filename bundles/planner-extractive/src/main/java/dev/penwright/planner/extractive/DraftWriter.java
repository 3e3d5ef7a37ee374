package dev.penwright.planner.extractive;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

import dev.penwright.api.plan.NumberedItem;
import dev.penwright.api.plan.VerbatimBlock;

/**
 * A text's neutral draft: every sentence, heading and list item, neutralised, in reading order, as prose (no salience
 * cut: a styler cannot restore what the draft leaves out). What prose cannot hold goes beside it: which sentences were
 * a numbered list's items (their numbers are not in the prose), and the paragraphs that are not prose, kept verbatim
 * with the sentence they followed.
 */
final class DraftWriter {
    private static final Pattern SERIES_CONJUNCTION = Pattern.compile("(?i)(and|or|nor|but|plus|as well as|then)\\b");

    /**
     * @param text           the draft
     * @param numberedItems  its sentences that were a numbered list's items (only lists: see {@link #listsOnly})
     * @param verbatimBlocks the paragraphs that are not prose, each after the draft sentence it followed
     */
    record Draft(String text, List<NumberedItem> numberedItems, List<VerbatimBlock> verbatimBlocks) {
    }

    private final boolean cjk;
    private final List<String> sentences = new ArrayList<>();
    private final List<NumberedItem> numbered = new ArrayList<>();
    private final List<VerbatimBlock> verbatim = new ArrayList<>();
    /** The numbered item being written: its number (0 for none) and its sentences so far (it may run to several). */
    private int itemNumber;
    private final List<String> itemSentences = new ArrayList<>();

    private DraftWriter(boolean cjk) {
        this.cjk = cjk;
    }

    /** The draft of {@code units} after {@code heading} (or none), with {@code code}, the paragraphs not prose. */
    static Draft write(String heading, List<ExtractivePlanner.Unit> units, List<SentenceSplitter.Code> code,
                       boolean cjk) {
        DraftWriter w = new DraftWriter(cjk);
        if (heading != null) {
            w.sentences.add(heading);
        }
        int nextCode = 0;
        for (int i = 0; i < units.size(); i++) {
            Sentence current = units.get(i).sentence();
            if (!current.inItem() || current.number() > 0) {
                w.endItem();
            }
            while (nextCode < code.size() && code.get(nextCode).before() <= current.position()) {
                w.verbatim.add(new VerbatimBlock(w.lastSentence(), code.get(nextCode++).text()));
            }
            String text = units.get(i).neutral();
            boolean leadIn = text.endsWith(":") || text.endsWith("：");
            if (leadIn && i + 1 < units.size() && units.get(i + 1).sentence().listItem()) {
                i = w.leadInList(text, units, i + 1) - 1;
            } else {
                w.sentence(current, text);
            }
        }
        w.endItem();
        while (nextCode < code.size()) {
            w.verbatim.add(new VerbatimBlock(w.lastSentence(), code.get(nextCode++).text()));
        }
        return new Draft(ExtractivePlanner.joinSentences(w.sentences, cjk), listsOnly(w.numbered),
                List.copyOf(w.verbatim));
    }

    /** A sentence of its own: a list item's first one capitalised, a numbered item's kept aside as well. */
    private void sentence(Sentence current, String text) {
        String written = current.listItem() ? capitalised(text) : text;
        sentences.add(written);
        if (current.number() > 0) {
            itemNumber = current.number();
        }
        if (itemNumber > 0) {
            itemSentences.add(written);
        }
    }

    /** The numbered item being written is complete. */
    private void endItem() {
        if (itemNumber > 0) {
            numbered.add(new NumberedItem(itemNumber, ExtractivePlanner.joinSentences(itemSentences, cjk)));
        }
        itemNumber = 0;
        itemSentences.clear();
    }

    /**
     * "Features:" and its items (from {@code first} on) as one sentence, the items joined by ";". Returns the index of
     * the first unit after the list.
     */
    private int leadInList(String leadIn, List<ExtractivePlanner.Unit> units, int first) {
        List<String> items = new ArrayList<>();
        List<Integer> numbers = new ArrayList<>();
        int j = first;
        while (j < units.size() && units.get(j).sentence().listItem()) {
            String item = units.get(j).neutral().replaceAll("[;；,，]+$", "");
            items.add(item);
            numbers.add(units.get(j).sentence().number());
            j++;
            if (ExtractivePlanner.TERMINAL.matcher(item).matches()) {
                break; // the item ends its own sentence
            }
        }
        boolean listEnded = j == units.size() || !units.get(j).sentence().listItem();
        // A numbered list's items are steps, not a series: no conjunction, and each keeps its number aside.
        boolean stepped = numbers.stream().allMatch(n -> n > 0);
        if (stepped) {
            for (int k = 0; k < items.size(); k++) {
                numbered.add(new NumberedItem(numbers.get(k), items.get(k).strip()));
            }
        } else if (!cjk && listEnded && items.size() > 1) {
            // A series in prose takes a conjunction before its last item; a styler that writes the list back as
            // items leaves it out again.
            items.set(items.size() - 1, seriesEnd(items.get(items.size() - 1)));
        }
        String lead = leadIn.substring(0, leadIn.length() - 1).strip();
        sentences.add(lead + (cjk ? "：" : ": ") + String.join(cjk ? "；" : "; ", items));
        return j;
    }

    /** The last sentence so far as the draft will write it (but for a full stop it may add), or empty. */
    private String lastSentence() {
        for (int i = sentences.size() - 1; i >= 0; i--) {
            String s = sentences.get(i).strip();
            if (!s.isEmpty()) {
                return s.replaceAll("[:：;；,，]+$", "");
            }
        }
        return "";
    }

    /**
     * The items that belong to a list: each next to its predecessor or successor in number ("1." then "2."). A lone
     * "3." is a heading's or a sense's number, not a list the styler could number back.
     */
    static List<NumberedItem> listsOnly(List<NumberedItem> items) {
        List<NumberedItem> kept = new ArrayList<>();
        for (int i = 0; i < items.size(); i++) {
            int n = items.get(i).number();
            boolean after = i > 0 && items.get(i - 1).number() == n - 1;
            boolean before = i + 1 < items.size() && items.get(i + 1).number() == n + 1;
            if (after || before) {
                kept.add(items.get(i));
            }
        }
        return List.copyOf(kept);
    }

    /** A series' last item with "and" before it, unless it starts with a conjunction of its own. */
    private static String seriesEnd(String item) {
        return SERIES_CONJUNCTION.matcher(item).lookingAt() ? item : "and " + item;
    }

    private static String capitalised(String s) {
        return s.isEmpty() || !Character.isLowerCase(s.charAt(0)) ? s
                : Character.toUpperCase(s.charAt(0)) + s.substring(1);
    }
}

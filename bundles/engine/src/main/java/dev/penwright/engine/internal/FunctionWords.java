package dev.penwright.engine.internal;

import java.util.Set;

/**
 * Words that carry no content of their own, left out when coverage counts a plan's content words: English function
 * words and Chinese particles and pronouns. Short on purpose: a word wrongly counted as content only makes the end
 * wait for it; a content word wrongly listed here could be dropped unnoticed.
 */
final class FunctionWords {
    private static final Set<String> WORDS = Set.of(
            "a", "an", "the", "and", "or", "but", "nor", "so", "yet", "if", "then", "than", "as", "of", "in", "on",
            "at", "by", "for", "to", "from", "with", "without", "into", "onto", "over", "under", "about", "after",
            "before", "between", "through", "during", "up", "down", "out", "off", "is", "are", "was", "were", "be",
            "been", "being", "am", "do", "does", "did", "have", "has", "had", "will", "would", "shall", "should",
            "can", "could", "may", "might", "must", "it", "its", "this", "that", "these", "those", "he", "she", "they",
            "we", "you", "i", "me", "him", "her", "them", "us", "my", "your", "his", "their", "our", "who", "whom",
            "whose", "which", "what", "when", "where", "why", "how", "not", "no", "also", "such", "there", "here",
            "all", "any", "some", "each", "very", "just", "only", "s", "t",
            "的", "了", "是", "在", "和", "与", "及", "也", "就", "都", "而", "之", "其", "这", "那", "有", "不", "我",
            "你", "他", "她", "它", "们", "个", "一", "着", "把", "被", "对", "从", "以", "于", "为", "所", "者", "乎");

    private FunctionWords() {
    }

    static boolean contains(String lowerCaseWord) {
        return WORDS.contains(lowerCaseWord);
    }
}

package demo;

import java.util.SplittableRandom;

/** Generates pseudo-random text from a small syllable alphabet. */
public final class TextSource {

    private static final String[] SYLLABLES = {"ka", "lo", "mi", "ne", "su", "ta", "ri", "po", "ve", "zu"};

    private TextSource() {
    }

    public static String generate(int words, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < words; i++) {
            int syllables = 1 + random.nextInt(3);
            for (int s = 0; s < syllables; s++) {
                text.append(SYLLABLES[random.nextInt(SYLLABLES.length)]);
            }
            text.append(i % 13 == 12 ? ".\n" : " ");
        }
        return text.toString();
    }
}

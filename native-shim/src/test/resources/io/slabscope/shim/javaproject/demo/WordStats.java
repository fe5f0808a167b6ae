package demo;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/** Word frequencies of a text. */
public final class WordStats {

    private final Map<String, Integer> counts;
    private final long total;

    private WordStats(Map<String, Integer> counts, long total) {
        this.counts = counts;
        this.total = total;
    }

    public static WordStats of(String text) {
        Map<String, Integer> counts = new HashMap<>();
        long total = 0;
        for (String word : text.split("[\\s.]+")) {
            if (!word.isEmpty()) {
                counts.merge(word, 1, Integer::sum);
                total++;
            }
        }
        return new WordStats(counts, total);
    }

    public long totalWords() {
        return total;
    }

    public int distinctWords() {
        return counts.size();
    }

    public List<String> mostFrequent(int n) {
        return counts.entrySet().stream()
                .sorted(Map.Entry.<String, Integer>comparingByValue().reversed().thenComparing(Map.Entry.comparingByKey()))
                .limit(n)
                .map(e -> e.getKey() + "=" + e.getValue())
                .collect(Collectors.toList());
    }
}

package demo;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.stream.Collectors;

/** A generated collection of items with a few aggregate queries. */
public final class Inventory {

    private static final String[] CATEGORIES = {"tools", "garden", "kitchen", "office", "toys", "books"};

    private final Map<Integer, Item> byId = new HashMap<>();

    public static Inventory generate(int count, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        Inventory inventory = new Inventory();
        for (int i = 0; i < count; i++) {
            String category = CATEGORIES[random.nextInt(CATEGORIES.length)];
            String name = category + "-" + Integer.toHexString(random.nextInt(1 << 20)) + "-" + i;
            inventory.byId.put(i, new Item(i, name, category, 100 + random.nextInt(100_000), random.nextInt(50)));
        }
        return inventory;
    }

    public int size() {
        return byId.size();
    }

    public long totalValue() {
        return byId.values().stream().mapToLong(Item::value).sum();
    }

    public Map<String, Long> valueByCategory() {
        return byId.values().stream()
                .collect(Collectors.groupingBy(Item::category, TreeMap::new, Collectors.summingLong(Item::value)));
    }

    public List<Item> mostValuable(int n) {
        List<Item> all = new ArrayList<>(byId.values());
        all.sort(Comparator.comparingLong(Item::value).reversed().thenComparingInt(Item::id));
        return List.copyOf(all.subList(0, n));
    }
}

package demo;

import java.util.List;

/** Small multi-class program compiled and run by the real-program tests. Output is deterministic. */
public final class Main {

    public static void main(String[] args) {
        Inventory inventory = Inventory.generate(200_000, 42);
        System.out.println("items: " + inventory.size());
        System.out.println("total value: " + inventory.totalValue());
        inventory.valueByCategory().forEach((category, value) ->
                System.out.println("category " + category + ": " + value));
        List<Item> top = inventory.mostValuable(5);
        for (Item item : top) {
            System.out.println("top: " + item);
        }

        WordStats stats = WordStats.of(TextSource.generate(300_000, 7));
        System.out.println("words: " + stats.totalWords() + ", distinct: " + stats.distinctWords());
        System.out.println("frequent: " + stats.mostFrequent(8));

        Matrix a = Matrix.sequence(120, 1);
        Matrix b = Matrix.sequence(120, 3);
        Matrix c = a.times(b);
        System.out.println("matrix trace: " + c.trace());
        System.out.println("matrix checksum: " + c.checksum());
    }
}

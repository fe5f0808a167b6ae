package demo;

/** One inventory entry. */
public record Item(int id, String name, String category, long priceCents, int quantity) {

    public long value() {
        return priceCents * quantity;
    }
}

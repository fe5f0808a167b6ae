package io.slabscope.shim;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The sqlite3 shell under the shim: a few thousand rows inserted in a transaction into an
 * on-disk database, an index, joins, GROUP BY / ORDER BY / window queries, updates, VACUUM.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class Sqlite3Test {

    private static final int CUSTOMERS = 500;
    private static final int ORDERS = 6000;

    @TempDir
    Path work;

    @Test
    void sqliteQueriesGiveTheSameResults() throws Exception {
        Path sqlite3 = Programs.require("sqlite3");
        ShimRunner runner = new ShimRunner(work);
        String script = script();

        Path baselineDir = Files.createDirectories(work.resolve("db-baseline"));
        Path shimDir = Files.createDirectories(work.resolve("db-shim"));
        Command command = Command.of(sqlite3.toString(), "-batch", "-bail", "shop.db").withStdin(script);
        RunResult baseline = runner.run(Mode.BASELINE, command.in(baselineDir));
        RunResult shim = runner.run(Mode.SHIM, command.in(shimDir));

        new Comparison(baseline, shim).assertSameStdout().assertSameStderr();
        shim.mainReport()
                .assertAtLeast("malloc_calls", 10_000)
                .assertAtLeast("free_calls", 10_000)
                .assertAtLeast("slab_allocs", 10_000);
        shim.reports().assertNoInvalidFrees();
    }

    private static String script() {
        Random random = new Random(1234);
        String[] cities = {"Aachen", "Bergen", "Cork", "Delft", "Essen", "Faro", "Graz", "Hull"};
        StringBuilder sql = new StringBuilder();
        sql.append("CREATE TABLE customers(id INTEGER PRIMARY KEY, name TEXT NOT NULL, city TEXT NOT NULL);\n");
        sql.append("CREATE TABLE orders(id INTEGER PRIMARY KEY, customer INTEGER NOT NULL REFERENCES customers(id),"
                + " amount INTEGER NOT NULL, note TEXT);\n");
        sql.append("BEGIN;\n");
        for (int i = 1; i <= CUSTOMERS; i++) {
            sql.append("INSERT INTO customers VALUES(").append(i).append(", 'customer-").append(i)
                    .append("', '").append(cities[random.nextInt(cities.length)]).append("');\n");
        }
        for (int i = 1; i <= ORDERS; i++) {
            sql.append("INSERT INTO orders VALUES(").append(i).append(", ").append(1 + random.nextInt(CUSTOMERS))
                    .append(", ").append(random.nextInt(100_000)).append(", '")
                    .append("note ".repeat(1 + random.nextInt(20))).append(i).append("');\n");
        }
        sql.append("COMMIT;\n");
        sql.append("CREATE INDEX orders_by_customer ON orders(customer);\n");
        sql.append("CREATE INDEX orders_by_amount ON orders(amount DESC);\n");
        sql.append("SELECT count(*), sum(amount), min(length(note)), max(length(note)) FROM orders;\n");
        sql.append("SELECT c.city, count(*), sum(o.amount), round(avg(o.amount), 2) FROM orders o"
                + " JOIN customers c ON c.id = o.customer GROUP BY c.city ORDER BY c.city;\n");
        sql.append("SELECT c.name, t.total FROM (SELECT customer, sum(amount) AS total FROM orders GROUP BY customer) t"
                + " JOIN customers c ON c.id = t.customer ORDER BY t.total DESC, c.name LIMIT 15;\n");
        sql.append("SELECT id, amount, rank() OVER (PARTITION BY customer ORDER BY amount DESC) FROM orders"
                + " WHERE customer <= 3 ORDER BY customer, amount DESC, id;\n");
        sql.append("UPDATE orders SET amount = amount + 1 WHERE amount % 7 = 0;\n");
        sql.append("DELETE FROM orders WHERE id % 10 = 0;\n");
        sql.append("SELECT count(*), sum(amount) FROM orders;\n");
        sql.append("SELECT group_concat(name, ',') FROM (SELECT name FROM customers WHERE city = 'Cork'"
                + " ORDER BY name LIMIT 40);\n");
        sql.append("VACUUM;\n");
        sql.append("PRAGMA integrity_check;\n");
        sql.append("SELECT amount FROM orders ORDER BY amount DESC LIMIT 5;\n");
        return sql.toString();
    }
}

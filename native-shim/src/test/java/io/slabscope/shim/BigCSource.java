package io.slabscope.shim;

/**
 * Generates a large, warning-free C translation unit: thousands of small functions with
 * switches, struct stores, string literals and calls between them.
 */
final class BigCSource {

    private BigCSource() {
    }

    static String generate(int functions) {
        StringBuilder c = new StringBuilder(functions * 400);
        c.append("#include <stddef.h>\n\n");
        c.append("struct rec { int id; long total; const char *name; double weight; };\n\n");
        for (int i = 0; i < functions; i++) {
            int cases = i % 5 + 2;
            c.append("long fn_").append(i).append("(struct rec *r, long x)\n{\n");
            c.append("    long acc = x * ").append(31 + cases).append(" + ").append(i).append(";\n");
            c.append("    switch (acc & 7) {\n");
            for (int s = 0; s < cases; s++) {
                c.append("    case ").append(s).append(": acc ^= ").append(i * 7 + s).append("; break;\n");
            }
            c.append("    default: acc -= 1; break;\n    }\n");
            c.append("    if (r) {\n");
            c.append("        r->id = ").append(i).append(";\n");
            c.append("        r->total += acc;\n");
            c.append("        r->weight = r->weight * 0.5 + (double)(acc % 1000);\n");
            c.append("        r->name = \"fn_").append(i).append("\";\n    }\n");
            if (i % 4 == 3) {
                c.append("    if (acc % 3 == 0)\n        acc += fn_").append(i - 3).append("(NULL, acc / 2);\n");
            }
            c.append("    return acc;\n}\n\n");
        }
        return c.toString();
    }
}

package io.slabscope.shim;

/** Generates a large, warning-free C translation unit: many functions calling one another. */
final class BigCSource {

    private BigCSource() {
    }

    static String generate(int functions) {
        StringBuilder c = new StringBuilder(functions * 600);
        c.append("#include <stddef.h>\n#include <string.h>\n\n");
        c.append("struct rec { int id; long total; char name[24]; double weight; };\n\n");
        for (int i = 0; i < functions; i++) {
            c.append("long fn_").append(i).append("(struct rec *r, const int *v, size_t n);\n");
        }
        c.append('\n');
        for (int i = 0; i < functions; i++) {
            int k = i % 7 + 2;
            c.append("long fn_").append(i).append("(struct rec *r, const int *v, size_t n)\n{\n");
            c.append("    long acc = ").append(i).append(";\n");
            c.append("    for (size_t j = 0; j < n; j++) {\n");
            c.append("        switch ((v[j] + ").append(i).append(") % ").append(k).append(") {\n");
            for (int s = 0; s < k; s++) {
                c.append("        case ").append(s).append(": acc = (acc * ").append(31 + s)
                        .append(" + v[j]) ").append(s % 2 == 0 ? "^ " : "- ").append(i * 13 + s).append("; break;\n");
            }
            c.append("        default: acc += (long)j; break;\n        }\n    }\n");
            c.append("    if (r) {\n        r->id = ").append(i).append(";\n        r->total += acc;\n");
            c.append("        r->weight = r->weight * 0.5 + (double)(acc % 1000);\n");
            c.append("        memcpy(r->name, \"fn_").append(i).append("\", sizeof \"fn_").append(i).append("\");\n    }\n");
            if (i % 16 == 15) {
                c.append("    if (n > 1 && acc % 3 == 0)\n        acc += fn_").append(i - 15)
                        .append("(NULL, v + 1, n - 1);\n");
            }
            c.append("    return acc;\n}\n\n");
        }
        return c.toString();
    }
}

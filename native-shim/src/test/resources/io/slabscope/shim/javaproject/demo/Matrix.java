package demo;

/** A dense square matrix of longs (exact arithmetic, so output is platform independent). */
public final class Matrix {

    private final long[][] cells;

    private Matrix(long[][] cells) {
        this.cells = cells;
    }

    public static Matrix sequence(int n, int step) {
        long[][] cells = new long[n][n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                cells[i][j] = ((long) i * n + j) * step % 1009;
            }
        }
        return new Matrix(cells);
    }

    public Matrix times(Matrix other) {
        int n = cells.length;
        long[][] out = new long[n][n];
        for (int i = 0; i < n; i++) {
            for (int k = 0; k < n; k++) {
                long a = cells[i][k];
                for (int j = 0; j < n; j++) {
                    out[i][j] += a * other.cells[k][j];
                }
            }
        }
        return new Matrix(out);
    }

    public long trace() {
        long sum = 0;
        for (int i = 0; i < cells.length; i++) {
            sum += cells[i][i];
        }
        return sum;
    }

    public long checksum() {
        long h = 17;
        for (long[] row : cells) {
            for (long v : row) {
                h = h * 31 + v;
            }
        }
        return h;
    }
}

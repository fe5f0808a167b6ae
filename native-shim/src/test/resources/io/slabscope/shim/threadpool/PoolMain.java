import java.util.concurrent.CountDownLatch;
import java.util.zip.Deflater;
import java.util.zip.Inflater;

/**
 * A pool of threads that each compress and decompress a few buffers (java.util.zip: zlib
 * states of 6-7 KiB from malloc) and then wait, as a server's pooled threads do. Run by
 * JvmThreadPoolTest under the shim; prints what it compressed.
 */
public class PoolMain {
    public static void main(String[] args) throws Exception {
        int threads = Integer.parseInt(args[0]);
        CountDownLatch done = new CountDownLatch(threads), exit = new CountDownLatch(1);
        long[] sizes = new long[threads];
        for (int i = 0; i < threads; i++) {
            int id = i;
            Thread t = new Thread(() -> {
                byte[] in = new byte[8192], out = new byte[16384], back = new byte[8192];
                for (int k = 0; k < in.length; k++) in[k] = (byte) (k * 31 + id);
                for (int round = 0; round < 20; round++) {
                    Deflater d = new Deflater();
                    d.setInput(in);
                    d.finish();
                    int n = d.deflate(out);
                    d.end();
                    Inflater f = new Inflater();
                    f.setInput(out, 0, n);
                    try {
                        f.inflate(back);
                    } catch (java.util.zip.DataFormatException e) {
                        throw new IllegalStateException(e);
                    }
                    f.end();
                    sizes[id] = n;
                }
                done.countDown();
                try {
                    exit.await();                 // waits in the pool until the JVM exits
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }, "pool-" + i);
            t.setDaemon(true);
            t.start();
        }
        done.await();
        long total = 0;
        for (long n : sizes) total += n;
        System.out.println(threads + " threads compressed 8192 bytes into " + total / threads + " on average");
    }
}

// The demo's JVM workload: native memory the way JVM programs use it — direct ByteBuffers of
// many sizes (malloc through Unsafe.allocateMemory), java.util.zip Deflater/Inflater (zlib's
// own mallocs), and a slowly growing set of buffers that stay alive (a "leak" for the
// sampled-allocation view). Runs about six seconds; prints one line.
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.zip.Deflater;
import java.util.zip.Inflater;

public class NativeWorkload {
    public static void main(String[] args) throws Exception {
        Random random = new Random(42);
        List<ByteBuffer> live = new ArrayList<>();
        List<ByteBuffer> leak = new ArrayList<>();
        byte[] text = "slabscope native memory demo ".repeat(400).getBytes();
        long end = System.nanoTime() + 6_000_000_000L, rounds = 0, checksum = 0;
        while (System.nanoTime() < end) {
            for (int i = 0; i < 200; i++) {
                int size = 64 << random.nextInt(10);                     // 64 B .. 32 KiB
                ByteBuffer b = ByteBuffer.allocateDirect(size + random.nextInt(size));
                b.put(0, (byte) i);
                live.add(b);
                if (live.size() > 2000)
                    live.remove(random.nextInt(live.size()));
            }
            Deflater d = new Deflater();
            d.setInput(text);
            d.finish();
            byte[] out = new byte[text.length];
            int n = d.deflate(out);
            d.end();
            Inflater inf = new Inflater();
            inf.setInput(out, 0, n);
            checksum += inf.inflate(new byte[text.length]);
            inf.end();
            if (rounds % 50 == 0)
                leak.add(ByteBuffer.allocateDirect(48 * 1024));                // never dropped
            if (rounds % 40 == 0)
                System.gc();                                                   // frees dropped buffers
            rounds++;
            Thread.sleep(2);
        }
        System.out.printf("NativeWorkload: %d rounds, %d buffers alive, %d kept for good, checksum %d%n",
                rounds, live.size(), leak.size(), checksum);
    }
}

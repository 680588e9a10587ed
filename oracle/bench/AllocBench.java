import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.util.ResourceLeakDetector;
import io.netty.util.Version;
import io.netty.util.concurrent.FastThreadLocalThread;
import java.util.Arrays;

/**
 * The real Netty's pooled direct allocate+release loop, the Java half of
 * oracle/bench.sh (the model runs the same loop in benches/alloc_loop.rs).
 *
 * <p>Usage: {@code AllocBench WARMUP_ROUNDS ROUNDS ITERATIONS SIZE...}. On one
 * FastThreadLocalThread (an event-loop thread: it always gets a thread cache), for each
 * size: WARMUP_ROUNDS untimed rounds, then ROUNDS timed rounds of ITERATIONS times
 * {@code directBuffer(size, size)} + {@code release()} on {@code PooledByteBufAllocator.DEFAULT}
 * (every allocation after the first is a thread-cache hit). Prints key TAB value lines;
 * {@code netty.SIZE.ns_per_op} is the median over the timed rounds.
 */
public final class AllocBench {
    /** Keeps the JIT from dropping the loop. */
    static volatile long sink;

    public static void main(String[] args) throws Exception {
        if (args.length < 4) {
            System.err.println("usage: AllocBench WARMUP_ROUNDS ROUNDS ITERATIONS SIZE...");
            System.exit(2);
        }
        int warmup = Integer.parseInt(args[0]);
        int rounds = Integer.parseInt(args[1]);
        int iterations = Integer.parseInt(args[2]);
        int[] sizes = Arrays.stream(args, 3, args.length).mapToInt(Integer::parseInt).toArray();
        Throwable[] failure = new Throwable[1];
        Thread loop = new FastThreadLocalThread(() -> {
            try {
                run(warmup, rounds, iterations, sizes);
            } catch (Throwable t) {
                failure[0] = t;
            }
        }, "bench-event-loop");
        loop.start();
        loop.join();
        if (failure[0] != null) {
            failure[0].printStackTrace();
            System.exit(1);
        }
    }

    private static void run(int warmup, int rounds, int iterations, int[] sizes) {
        PooledByteBufAllocator alloc = PooledByteBufAllocator.DEFAULT;
        System.out.println("netty.version\t" + Version.identify().get("netty-buffer").artifactVersion());
        System.out.println("java.version\t" + System.getProperty("java.version"));
        System.out.println("netty.leak_level\t" + ResourceLeakDetector.getLevel());
        System.out.println("netty.direct_arenas\t" + alloc.metric().numDirectArenas());
        System.out.println("netty.thread\t" + Thread.currentThread().getClass().getSimpleName());
        for (int size : sizes) {
            for (int r = 0; r < warmup; r++) {
                round(alloc, size, iterations);
            }
            double[] ns = new double[rounds];
            for (int r = 0; r < rounds; r++) {
                ns[r] = round(alloc, size, iterations);
            }
            Arrays.sort(ns);
            System.out.printf("netty.%d.ns_per_op\t%.1f%n", size, ns[rounds / 2]);
            System.out.printf("netty.%d.min_ns_per_op\t%.1f%n", size, ns[0]);
        }
    }

    /** One round: ITERATIONS allocate+release pairs; returns ns per pair. */
    private static double round(PooledByteBufAllocator alloc, int size, int iterations) {
        long acc = 0;
        long start = System.nanoTime();
        for (int i = 0; i < iterations; i++) {
            ByteBuf buf = alloc.directBuffer(size, size);
            acc += buf.capacity();
            buf.release();
        }
        long elapsed = System.nanoTime() - start;
        sink += acc;
        return (double) elapsed / iterations;
    }
}

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Which released pooled buffer objects the Recycler hands out again, and in which
 * order, within one thread and across two (run with the Recycler on). Each scenario
 * uses fresh threads (fresh Recycler stacks, the recyclers being JVM-wide statics) and
 * a fresh allocator. A fact lists, for each later allocation on the owner thread, the
 * index of the released buffer it returned, or "new".
 */
final class Reuse {
    private Reuse() {}

    static void run() throws Exception {
        // 20 buffers released on their owner thread, then 4 allocations there.
        scenario("recycler.same_thread", 20, new int[0], 4);
        // 10 buffers released on another thread, then 2 allocations on the owner.
        scenario("recycler.cross_thread", 10, range(10), 2);
        // Buffer 0 released on another thread, buffer 1 on the owner, then 2 allocations.
        scenario("recycler.stack_before_queue", 2, new int[] {0}, 2);
    }

    private static int[] range(int n) {
        int[] r = new int[n];
        for (int i = 0; i < n; i++) r[i] = i;
        return r;
    }

    /** Allocates n on the owner; releases those listed in `elsewhere` on another thread, the rest on the owner, in index order; then allocates `after` on the owner. */
    private static void scenario(String key, int n, int[] elsewhere, int after) throws Exception {
        PooledByteBufAllocator alloc = new PooledByteBufAllocator(true, 2, 2, 8192, 11);
        ExecutorService owner = Executors.newSingleThreadExecutor();
        ExecutorService other = Executors.newSingleThreadExecutor();
        try {
            List<ByteBuf> bufs = on(owner, () -> {
                List<ByteBuf> l = new ArrayList<>();
                for (int i = 0; i < n; i++) l.add(alloc.directBuffer(16, 16));
                return l;
            });
            for (int i = 0; i < n; i++) {
                ByteBuf b = bufs.get(i);
                boolean away = false;
                for (int e : elsewhere) away |= e == i;
                on(away ? other : owner, () -> b.release());
            }
            List<ByteBuf> next = on(owner, () -> {
                List<ByteBuf> l = new ArrayList<>();
                for (int i = 0; i < after; i++) l.add(alloc.directBuffer(16, 16));
                return l;
            });
            StringBuilder sb = new StringBuilder();
            for (ByteBuf b : next) {
                if (sb.length() > 0) sb.append(',');
                int found = -1;
                for (int i = 0; i < n; i++) if (bufs.get(i) == b) found = i;
                sb.append(found < 0 ? "new" : String.valueOf(found));
            }
            Facts.put(key, sb);
        } finally {
            owner.shutdown();
            other.shutdown();
        }
    }

    private static <T> T on(ExecutorService thread, Callable<T> task) throws Exception {
        return thread.submit(task).get();
    }
}

import io.netty.buffer.ByteBuf;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.util.ResourceLeakDetector;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.LogManager;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * Leak detector output of 4.1.48: N unreleased copy() of a 1 KiB unpooled direct buffer,
 * System.gc() after every 16th copy. Netty logs through JUL here (no slf4j/log4j on the
 * classpath); a JUL handler captures the already formatted message text.
 */
final class Leak {
    private Leak() {}

    static final List<String> LOGGED = new ArrayList<>();

    /**
     * System.gc(), then wait until the JVM's Reference Handler has enqueued every cleared
     * WeakReference (java.lang.ref.Reference.waitForReferenceProcessing, needs
     * --add-opens java.base/java.lang.ref). Without the wait, when the detector sees the
     * leak depends on thread timing.
     */
    static void gc() {
        System.gc();
        try {
            java.lang.reflect.Method m = java.lang.ref.Reference.class.getDeclaredMethod("waitForReferenceProcessing");
            m.setAccessible(true);
            while ((Boolean) m.invoke(null)) { /* more were pending */ }
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }

    static void run(String levelName, int n) {
        LogManager.getLogManager().reset();
        Logger root = Logger.getLogger("");
        root.addHandler(new Handler() {
            @Override public void publish(LogRecord r) {
                synchronized (LOGGED) { LOGGED.add(r.getLoggerName() + "\t" + r.getLevel() + "\t" + r.getMessage()); }
            }
            @Override public void flush() {}
            @Override public void close() {}
        });
        Facts.put("leak.level.requested", levelName);
        Facts.put("leak.level.effective", ResourceLeakDetector.getLevel());
        ByteBuf src = UnpooledByteBufAllocator.DEFAULT.directBuffer(1024, 1024);
        src.writeZero(1024);
        boolean sampled = ResourceLeakDetector.getLevel() != ResourceLeakDetector.Level.PARANOID;
        Facts.put("leak.src.bare_class", CopyLoop.bareClass(src));
        int first = -1;
        int seen = 0;
        for (int i = 0; i < n; i++) {
            ByteBuf c = src.copy();
            if (i == 0) {
                Facts.put("leak.copy0.bare_class", CopyLoop.bareClass(c));
                // Only PARANOID wraps every buffer; at SIMPLE/ADVANCED 1 in 128 is wrapped at random.
                if (!sampled) Facts.put("leak.copy0.class", c.getClass().getName());
            }
            synchronized (LOGGED) {
                if (first < 0 && LOGGED.size() > seen) first = i;
                seen = LOGGED.size();
            }
            if ((i + 1) % 16 == 0) gc();
        }
        // PARANOID tracks every buffer, so the index is exact; SIMPLE/ADVANCED sample 1 in 128
        // with an unseeded ThreadLocalRandom, so their index changes from run to run.
        Facts.put("leak.first_report_during_copy_index" + (sampled ? ".random" : ""), first);
        synchronized (LOGGED) {
            Facts.put("leak.reports" + (sampled ? ".random" : ""), LOGGED.size());
            for (int k = 0; k < LOGGED.size(); k++) {
                String[] parts = LOGGED.get(k).split("\t", 3);
                String[] lines = parts[2].split("\n", -1);
                Facts.put("leak.report." + k + ".logger", parts[0]);
                Facts.put("leak.report." + k + ".level", parts[1]);
                Facts.put("leak.report." + k + ".lines", lines.length);
                if (k == 0) {
                    Facts.put("leak.report.0.raw", parts[2]);
                    for (int j = 0; j < lines.length; j++) Facts.put(String.format("leak.report.0.line.%02d", j), lines[j]);
                }
            }
        }
        src.release();
    }
}

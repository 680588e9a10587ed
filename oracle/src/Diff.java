import io.netty.util.internal.PlatformDependent;

import java.io.BufferedOutputStream;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;

/**
 * Differential oracle: reads op programs in the line form `leakproof diff` writes
 * (docs/differential.md) and runs each on the real Netty, printing after every op the
 * observations `DiffProgram` formats. One JVM runs many programs: each gets a fresh
 * thread and fresh allocators; a program whose header asks for a barrier starts only
 * once GC and finalization brought Netty's direct counter back to its baseline.
 *
 * Input:  program NAME prefer_direct H D PAGE ORDER TINY SMALL NORMAL ALL_THREADS ALIGN BARRIER
 *         OP-LINE…   (see DiffProgram)
 *         end
 * Output: program NAME, the observation lines, end NAME. Bad input: a message naming
 * the line on stderr, exit status 2.
 */
final class Diff {
    static final class Program {
        final String name;
        final String[] header;
        final int line;
        final List<String[]> ops = new ArrayList<>();
        final List<Integer> opLines = new ArrayList<>();

        Program(String name, String[] header, int line) {
            this.name = name;
            this.header = header;
            this.line = line;
        }
    }

    static void run(String file) throws Exception {
        List<Program> programs = parse(file);
        PrintStream out = new PrintStream(
                new BufferedOutputStream(new FileOutputStream(FileDescriptor.out), 1 << 16), false, "UTF-8");
        long baseline = PlatformDependent.usedDirectMemory();
        out.println("oracle netty-buffer " + io.netty.buffer.ByteBuf.class.getPackage().getImplementationVersion()
                + " java " + System.getProperty("java.version")
                + " maxDirectMemory " + PlatformDependent.maxDirectMemory()
                + " noCleaner " + PlatformDependent.useDirectBufferNoCleaner()
                + " unsafe " + PlatformDependent.hasUnsafe());
        for (Program p : programs) {
            if (p.header[11].equals("1")) {
                barrier(baseline, p);
            }
            DiffProgram program = new DiffProgram(p, baseline);
            Thread t = new Thread(program, "diff-" + p.name);
            t.start();
            t.join();
            out.print(program.output());
            out.flush();
        }
        out.flush();
    }

    /** GC and finalization until the direct counter is back at its baseline. */
    private static void barrier(long baseline, Program p) throws InterruptedException {
        for (int i = 0; i < 200; i++) {
            long used = PlatformDependent.usedDirectMemory();
            if (used <= baseline) {
                return;
            }
            System.gc();
            System.runFinalization();
            if (i > 2) {
                Thread.sleep(5);
            }
        }
        System.err.println("oracle: before program " + p.name + ": direct memory stayed at "
                + PlatformDependent.usedDirectMemory() + " bytes (baseline " + baseline
                + ") after 200 GC and finalization rounds");
        System.exit(3);
    }

    private static List<Program> parse(String file) throws IOException {
        List<String> lines = Files.readAllLines(Paths.get(file), StandardCharsets.UTF_8);
        List<Program> programs = new ArrayList<>();
        Program cur = null;
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).trim();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            String[] f = line.split(" ");
            if (cur == null) {
                if (!f[0].equals("program") || f.length != 13) {
                    fail(file, i, "expected `program NAME` and 11 allocator fields, got `" + line + "`");
                }
                for (int k = 2; k < 13; k++) {
                    if (!f[k].matches("-?[0-9]+")) {
                        fail(file, i, "program header field " + k + " is not an integer: `" + f[k] + "`");
                    }
                }
                cur = new Program(f[1], java.util.Arrays.copyOfRange(f, 1, 13), i + 1);
            } else if (f[0].equals("end")) {
                programs.add(cur);
                cur = null;
            } else {
                String problem = DiffProgram.validate(f);
                if (problem != null) {
                    fail(file, i, problem);
                }
                cur.ops.add(f);
                cur.opLines.add(i + 1);
            }
        }
        if (cur != null) {
            fail(file, lines.size() - 1, "program " + cur.name + " has no `end`");
        }
        return programs;
    }

    private static void fail(String file, int index, String message) {
        System.err.println("oracle: " + file + ":" + (index + 1) + ": " + message);
        System.exit(2);
    }
}

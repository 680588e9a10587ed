/**
 * Entry point: dispatches one scenario per JVM run, so each scenario gets its own
 * system properties (leak level, arenas, Unsafe) from run.sh.
 */
public final class Oracle {
    public static void main(String[] args) throws Exception {
        if (args.length == 0) usage();
        switch (args[0]) {
            case "texts": Texts.run(); break;
            case "sizes": Sizes.run(); break;
            case "copy-loop":
                if (args.length != 5) usage();
                CopyLoop.run(args[1], parseSize(args[2]), Integer.parseInt(args[3]), Boolean.parseBoolean(args[4]));
                break;
            case "diff":
                if (args.length != 2) usage();
                Diff.run(args[1]);
                break;
            case "recycler": Reuse.run(); break;
            case "leak":
                if (args.length != 3) usage();
                Leak.run(args[1], Integer.parseInt(args[2]));
                break;
            default: usage();
        }
    }

    static int parseSize(String s) {
        if (s.endsWith("M")) return Integer.parseInt(s.substring(0, s.length() - 1)) << 20;
        if (s.endsWith("K")) return Integer.parseInt(s.substring(0, s.length() - 1)) << 10;
        return Integer.parseInt(s);
    }

    private static void usage() {
        System.err.println("usage: Oracle texts | sizes | copy-loop KIND SIZE COPIES RELEASE(true|false) | leak LEVEL N | recycler | diff PROGRAMS");
        System.exit(2);
    }
}

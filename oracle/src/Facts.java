import java.util.concurrent.Callable;

/** Output of the oracle: one fact per line, "key<TAB>value", with identity hashes stripped. */
final class Facts {
    private Facts() {}

    /** Remove identity hashes; escape TAB, CR, LF as \\t, \\r, \\n so each fact stays on one line. */
    static String clean(String s) {
        if (s == null) return "null";
        return s.replaceAll("@[0-9a-f]{4,16}\\b", "@<hash>").replace("\t", "\\t").replace("\r", "\\r").replace("\n", "\\n");
    }

    static void put(String key, Object value) {
        System.out.println(key + "\t" + clean(String.valueOf(value)));
    }

    /** "class: message" as Java prints a Throwable (Throwable.toString without localization). */
    static String describe(Throwable t) {
        String m = t.getMessage();
        return t.getClass().getName() + (m == null ? "" : ": " + m);
    }

    /** Run the action; print the exception it throws, or "returned: <value>" if none. */
    static void expect(String key, Callable<?> action) {
        try {
            Object r = action.call();
            put(key, "returned: " + r);
        } catch (Throwable t) {
            put(key, describe(t));
        }
    }
}

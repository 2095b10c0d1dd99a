package dev.tsunagu.cli;

import java.util.Locale;

/** Sets the log level of the command (logback) from {@code --log LEVEL}. */
public final class Logging {
    private static volatile boolean debug;

    private Logging() {}

    public static void setLevel(String level) {
        String l = level.toUpperCase(Locale.ROOT);
        debug = l.equals("DEBUG") || l.equals("TRACE");
        org.slf4j.Logger root = org.slf4j.LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        try {
            // Logback is the command's backend; set its level reflectively so this module needs
            // no compile-time dependency on it (and works with any other slf4j backend too).
            Class<?> levelClass = Class.forName("ch.qos.logback.classic.Level", true, root.getClass().getClassLoader());
            Object lv = levelClass.getMethod("toLevel", String.class).invoke(null, l);
            root.getClass().getMethod("setLevel", levelClass).invoke(root, lv);
        } catch (ReflectiveOperationException e) {
            // another backend: leave its configuration alone
        }
    }

    public static boolean debugEnabled() {
        return debug;
    }
}

package io.kinesisha.common.config;

import java.util.Locale;

/**
 * An enumerated setting whose spelling in files differs from the Java constant (for example {@code report-only}):
 * the config layer accepts any letter case but stores and prints only {@link #configValue()}.
 */
public interface ConfigEnum {

    /** The canonical spelling used in configuration files, environment variables and docs. */
    String configValue();

    /** The constant whose {@link #configValue()} equals {@code text} ignoring case, or null when none does. */
    static <E extends Enum<E> & ConfigEnum> E lookup(Class<E> type, String text) {
        String wanted = text.trim().toLowerCase(Locale.ROOT);
        for (E constant : type.getEnumConstants()) {
            if (constant.configValue().toLowerCase(Locale.ROOT).equals(wanted)) {
                return constant;
            }
        }
        return null;
    }
}

package io.kinesisha.common.config;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A Kinesis Client Library application reading the pair: its name and the DynamoDB lease table it uses in each
 * region. The controller needs both tables because a failover translates the checkpoints of one into the other.
 * Written {@code name:region=table,region=table}, applications separated by {@code ;} (the configuration is a
 * flat key/value model, so a list of mappings is spelled as one value).
 */
public final class KclApplication {
    static final String NAME = "[a-zA-Z0-9_.-]{1,128}";
    static final String TABLE = "[a-zA-Z0-9_.-]{3,255}";
    static final String REGION = "[a-z]{2}(-[a-z]+)+-\\d";
    static final String ONE = NAME + ":" + REGION + "=" + TABLE + "(," + REGION + "=" + TABLE + ")*";
    /** The shape of the whole value, for {@link ConfigKey#CONSUMERS_KCL_APPLICATIONS}. */
    static final String LIST = ONE + "(;" + ONE + ")*";

    private static final Pattern SHAPE = Pattern.compile(LIST);

    private final String name;
    private final Map<String, String> leaseTables;

    public KclApplication(String name, Map<String, String> leaseTables) {
        this.name = Objects.requireNonNull(name, "name");
        this.leaseTables = Collections.unmodifiableMap(new LinkedHashMap<>(leaseTables));
    }

    public String name() {
        return name;
    }

    /** Region to lease table name. */
    public Map<String, String> leaseTables() {
        return leaseTables;
    }

    /** The lease table of {@code region}. */
    public Optional<String> leaseTable(String region) {
        return Optional.ofNullable(leaseTables.get(region));
    }

    /**
     * Parses a value of {@code consumers.kcl-applications}.
     *
     * @throws IllegalArgumentException saying what is wrong (the caller names the field)
     */
    public static List<KclApplication> parseAll(String value) {
        if (!SHAPE.matcher(value).matches()) {
            throw new IllegalArgumentException(
                    "must be application:region=lease-table,region=lease-table " + "(applications separated by ';')");
        }
        List<KclApplication> apps = new ArrayList<>();
        Set<String> names = new HashSet<>();
        for (String one : value.split(";")) {
            int colon = one.indexOf(':');
            String name = one.substring(0, colon);
            if (!names.add(name)) {
                throw new IllegalArgumentException("names application " + name + " twice");
            }
            Map<String, String> tables = new LinkedHashMap<>();
            for (String pair : one.substring(colon + 1).split(",")) {
                String[] regionTable = pair.split("=", 2);
                if (tables.put(regionTable[0], regionTable[1]) != null) {
                    throw new IllegalArgumentException(
                            "gives application " + name + " two lease tables in " + regionTable[0]);
                }
            }
            apps.add(new KclApplication(name, tables));
        }
        return apps;
    }

    @Override
    public boolean equals(Object o) {
        return this == o
                || o instanceof KclApplication
                        && name.equals(((KclApplication) o).name)
                        && leaseTables.equals(((KclApplication) o).leaseTables);
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, leaseTables);
    }

    @Override
    public String toString() {
        return name + leaseTables;
    }
}

package io.kinesisha.cli;

/** How a command prints its result: for people, or one JSON document on stdout for scripts. */
public enum OutputFormat {
    TEXT,
    JSON
}

package io.raftline.io.storage;

import java.nio.file.Path;

/**
 * Told of every file the storage forced, right after the force returned. Tests model a power loss with it: the disk
 * after one holds each file as of its last force, so that a force taken out of the code shows as an acknowledged
 * entry or a vote that a power loss takes away.
 */
@FunctionalInterface
interface ForceObserver
{
    ForceObserver NONE = file -> { };

    void forced(Path file);
}

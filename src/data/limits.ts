/**
 * Bounds on what a data file may ask featurelens to make, so that a hostile or damaged file is
 * refused with a message instead of exhausting memory or time.
 */

/**
 * The most classes a label file may imply when no class names are given: featurelens makes one
 * class per value from 0 to the largest label, so a single label of 2^30 would otherwise ask for
 * a billion classes. ImageNet-21k has 21,841; named sets, folders and `--classes` set their own count.
 */
export const MAX_CLASSES = 100_000;

/** The most elements an array file (`.npy`, IDX) may declare: 2^31, the reach of an int32 index. */
export const MAX_ELEMENTS = 2 ** 31;

/** The most files and folders a folder dataset may hold before the walk stops as a likely mistake. */
export const MAX_FOLDER_ENTRIES = 10_000_000;

/**
 * The longest `.npy` header read. numpy writes headers of 64–128 bytes and, since 1.24, reads
 * none longer than 10,000 bytes by default (`max_header_size`).
 */
export const MAX_NPY_HEADER = 1 << 20;

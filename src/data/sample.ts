import { fileURLToPath } from "node:url";

/** The folder of the small Fashion-MNIST sample that ships with featurelens (see its README). */
export const SAMPLE_DIR = fileURLToPath(new URL("../../data/sample/fashion-mnist/", import.meta.url));

export const FASHION_MNIST_CLASSES = [
  "T-shirt/top",
  "Trouser",
  "Pullover",
  "Dress",
  "Coat",
  "Sandal",
  "Shirt",
  "Sneaker",
  "Bag",
  "Ankle boot",
];

/** File names of the IDX pairs, the same in the full set and in the sample. */
export const FASHION_MNIST_FILES = {
  train: ["train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz"],
  test: ["t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"],
} as const;

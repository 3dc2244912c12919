import { type ParquetColumn, writeParquet } from "./parquet.js";

/**
 * The map table `featurelens export --format parquet|csv` writes: one row per image of a scope,
 * its prediction with the class names, and its coordinates in every map of the scope. The columns
 * are listed once here, in their order, and both encoders (Parquet here, CSV in
 * workflows/exportTable.ts) write exactly them.
 */

/** One map's coordinates: N×dims float32, row-major, row i = row i of the table. */
export interface MapColumns {
  name: string;
  dims: 2 | 3;
  data: Float32Array;
}

/** The table in memory: N rows as typed columns. */
export interface MapTable {
  n: number;
  /** Index in the source dataset. */
  index: Int32Array;
  split: readonly string[];
  /** −1 when unlabelled. */
  label: Int32Array;
  /** "" when unlabelled. */
  labelName: readonly string[];
  predicted: Int32Array;
  predictedName: readonly string[];
  confidence: Float32Array;
  margin: Float32Array;
  /** NaN (NULL in the file, an empty CSV field) when unlabelled. */
  loss: Float32Array;
  maps: readonly MapColumns[];
}

const AXES = ["x", "y", "z"] as const;

/**
 * The table's columns in order: index, split, label, label_name, predicted, predicted_name,
 * confidence, margin, loss, then `<map>_x`, `<map>_y` (and `<map>_z`) for each map.
 * @example mapTableColumns(t).map((c) => c.name).slice(8) // ["loss", "tsne_x", "tsne_y", "pca_x", "pca_y"]
 */
export function mapTableColumns(t: MapTable): ParquetColumn[] {
  const columns: ParquetColumn[] = [
    { name: "index", type: "INTEGER", values: t.index },
    { name: "split", type: "VARCHAR", values: t.split },
    { name: "label", type: "INTEGER", values: t.label },
    { name: "label_name", type: "VARCHAR", values: t.labelName },
    { name: "predicted", type: "INTEGER", values: t.predicted },
    { name: "predicted_name", type: "VARCHAR", values: t.predictedName },
    { name: "confidence", type: "FLOAT", values: t.confidence },
    { name: "margin", type: "FLOAT", values: t.margin },
    { name: "loss", type: "FLOAT", values: t.loss, nanAsNull: true },
  ];
  for (const m of t.maps) {
    if (m.data.length !== t.n * m.dims) throw new RangeError(`map '${m.name}' has ${m.data.length} values, expected ${t.n}×${m.dims}`);
    for (let a = 0; a < m.dims; a++) {
      const values = new Float32Array(t.n);
      for (let i = 0; i < t.n; i++) values[i] = m.data[i * m.dims + a];
      columns.push({ name: `${m.name}_${AXES[a]}`, type: "FLOAT", values });
    }
  }
  return columns;
}

/**
 * Writes the map table as Parquet, atomically (through writeParquet).
 * @example await writeMapTable("export/map.parquet", table) // pandas.read_parquet gives index, split, …, tsne_x, tsne_y, pca_x, pca_y
 */
export async function writeMapTable(path: string, t: MapTable): Promise<void> {
  await writeParquet(path, t.n, mapTableColumns(t));
}

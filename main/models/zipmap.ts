import { concatBytes, encodeLengthDelimited, readFields, WireType } from '../onnx/wire.ts';
import {
  intsAttribute,
  mlDomain,
  type OnnxModel,
  type OnnxNode,
  onnx,
  stringsAttribute,
  toNumber,
} from './onnx-model.ts';

/**
 * A ZipMap at the end of a classifier graph: it turns the probability tensor into a sequence of
 * maps {class label → probability}, which onnxruntime-node cannot return
 * ("Non tensor type is temporarily not supported").
 */
export interface ZipMapNode {
  /** The probability tensor [N, C] feeding the ZipMap. */
  probabilities: string;
  /** The graph output the ZipMap produced; after the bypass it is that tensor under the same name. */
  output: string;
  /** The class label of each probability column, from classlabels_int64s or classlabels_strings. */
  classLabels: (string | number)[];
}

/** ZipMap nodes of the main graph whose result is a graph output. */
export function findZipMaps(model: OnnxModel): ZipMapNode[] {
  const graph = model.graph;
  if (!graph) return [];
  const outputs = new Set((graph.output ?? []).map((output) => output.name));
  const found: ZipMapNode[] = [];
  for (const node of graph.node ?? []) {
    if (node.opType !== 'ZipMap' || (node.domain ?? '') !== mlDomain) continue;
    const input = node.input?.[0];
    const output = node.output?.[0];
    if (!input || !output || !outputs.has(output)) continue;
    const classLabels =
      stringsAttribute(node, 'classlabels_strings') ?? intsAttribute(node, 'classlabels_int64s');
    if (!classLabels) continue;
    found.push({ probabilities: input, output, classLabels });
  }
  return found;
}

// Field numbers from onnx.proto.
const modelGraphField = 7;
const modelOpsetImportField = 8;
const graphNodeField = 1;
const graphOutputField = 12;

function identityFor(node: OnnxNode): Uint8Array {
  return onnx.NodeProto.encode({
    input: [node.input![0]!],
    output: [node.output![0]!],
    opType: 'Identity',
    name: node.name ?? '',
    docString: 'ModelDock: replaces a ZipMap so the probabilities come out as a tensor',
  }).finish();
}

function probabilityOutput(name: string, classCount: number): Uint8Array {
  return onnx.ValueInfoProto.encode({
    name,
    type: {
      tensorType: {
        elemType: onnx.TensorProto.DataType.FLOAT,
        shape: { dim: [{ dimParam: 'N' }, { dimValue: classCount }] },
      },
    },
  }).finish();
}

/**
 * Rewrites the model bytes so each ZipMap becomes an Identity and its output a float tensor
 * [N, C] with the same name. The user's file is untouched; this works on a copy in memory.
 *
 * Only the ZipMap node and its output's declaration are re-encoded: every other field of the
 * model and graph is copied byte for byte. onnx-proto knows the ONNX 1.10 schema (IR version 8),
 * so decoding and re-encoding a whole newer model would silently drop fields it does not know
 * (IR 9+ adds e.g. graph/node metadata_props and function value_info); copying bytes keeps them.
 */
export function bypassZipMaps(
  bytes: Uint8Array,
  zipMaps: readonly ZipMapNode[],
  model: OnnxModel,
): Uint8Array {
  const byOutput = new Map(zipMaps.map((zipMap) => [zipMap.output, zipMap]));
  const modelFields = readFields(bytes);
  const parts: Uint8Array[] = [];
  for (const field of modelFields) {
    if (field.field !== modelGraphField || field.wireType !== WireType.lengthDelimited) {
      parts.push(bytes.subarray(field.start, field.end));
      continue;
    }
    const graphParts: Uint8Array[] = [];
    for (const graphField of readFields(bytes, field.valueStart, field.end)) {
      const raw = bytes.subarray(graphField.start, graphField.end);
      const value = bytes.subarray(graphField.valueStart, graphField.end);
      const isMessage = graphField.wireType === WireType.lengthDelimited;
      if (isMessage && graphField.field === graphNodeField) {
        const node = onnx.NodeProto.decode(value);
        const isBypassed = node.opType === 'ZipMap' && byOutput.has(node.output[0] ?? '');
        graphParts.push(isBypassed ? encodeLengthDelimited(graphNodeField, identityFor(node)) : raw);
      } else if (isMessage && graphField.field === graphOutputField) {
        const output = onnx.ValueInfoProto.decode(value);
        const zipMap = byOutput.get(output.name);
        graphParts.push(
          zipMap
            ? encodeLengthDelimited(
                graphOutputField,
                probabilityOutput(output.name, zipMap.classLabels.length),
              )
            : raw,
        );
      } else {
        graphParts.push(raw);
      }
    }
    parts.push(encodeLengthDelimited(modelGraphField, concatBytes(graphParts)));
  }
  // Identity lives in the default domain; a graph made only of ai.onnx.ml operators may not import it.
  const importsDefault = model.opsetImport.some(
    (opset) => (opset.domain ?? '') === '' && toNumber(opset.version) > 0,
  );
  if (!importsDefault) {
    const opset = onnx.OperatorSetIdProto.encode({ domain: '', version: 13 }).finish();
    parts.push(encodeLengthDelimited(modelOpsetImportField, opset));
  }
  return concatBytes(parts);
}

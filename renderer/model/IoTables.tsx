import type { ModelInfo } from '../../shared/contract/index.ts';
import { formatShape } from './format.ts';

export function InputsTable(props: { model: ModelInfo }) {
  return (
    <table className="io-table" aria-label="Inputs">
      <caption>Inputs</caption>
      <thead>
        <tr>
          <th scope="col">Name</th>
          <th scope="col">Type</th>
          <th scope="col">Shape</th>
          <th scope="col">Categories / features</th>
        </tr>
      </thead>
      <tbody>
        {props.model.inputs.map((input) => (
          <tr key={input.name}>
            <td className="mono">{input.name}</td>
            <td>{input.type}</td>
            <td className="mono shape">{formatShape(input.shape)}</td>
            <td className="categories">
              {input.categories?.join(', ') ??
                (input.featureNames ? `features: ${input.featureNames.join(', ')}` : '')}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function OutputsTable(props: { model: ModelInfo }) {
  return (
    <table className="io-table" aria-label="Outputs">
      <caption>Outputs</caption>
      <thead>
        <tr>
          <th scope="col">Name</th>
          <th scope="col">Type</th>
          <th scope="col">Shape</th>
          <th scope="col">Role</th>
        </tr>
      </thead>
      <tbody>
        {props.model.outputs.map((output) => (
          <tr key={output.name}>
            <td className="mono">{output.name}</td>
            <td>{output.type}</td>
            <td className="mono shape">{formatShape(output.shape)}</td>
            <td>{output.role}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

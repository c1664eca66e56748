import type { JSX } from 'react';
import { useChart } from './use-chart.ts';

/**
 * A chart.js canvas with its caption, the canvas named for screen readers by the same words.
 * `className` is the figure's layout (sizes differ per screen); its canvas box is `${className}-canvas`.
 */
export function ChartFigure(props: {
  config: Parameters<typeof useChart>[0];
  label: string;
  testId: string;
  className: 'batch-chart' | 'decision-chart';
}): JSX.Element {
  const canvas = useChart(props.config);
  return (
    <figure className={props.className} data-testid={props.testId}>
      <div className={`${props.className}-canvas`}>
        <canvas ref={canvas} role="img" aria-label={props.label} />
      </div>
      <figcaption>{props.label}</figcaption>
    </figure>
  );
}

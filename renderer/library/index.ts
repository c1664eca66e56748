/**
 * The library's panels. Mount them where the app shows the open model (see docs/library.md "Library, samples,
 * comparison and drift" for props):
 *   <LibraryPanel onOpen={(info) => …} refreshKey={model?.modelId} />
 *   <SamplesPanel model={model} payload={currentPayload} />
 *   <WhatIfPanel model={model} payload={currentPayload} />
 *   <ComparePanel model={model} payload={currentPayload} />
 *   <DriftPanel model={model} reveal={…} onRevealed={…} />, and <DriftTable report={…} /> for a batch report.
 * or all four for the open model in one tab: <LibraryTools model={model} payload={currentPayload} />.
 */
import './library.css';

export { CompareCsvReport, ComparePanel, type ComparePanelProps } from './ComparePanel.tsx';
export { DriftPanel } from './DriftPanel.tsx';
export { DriftTable } from './DriftTable.tsx';
export { LibraryPanel, type LibraryPanelProps } from './LibraryPanel.tsx';
export { LibraryTools, type LibraryToolsProps } from './LibraryTools.tsx';
export { SamplesPanel, type SamplesPanelProps } from './SamplesPanel.tsx';
export { WhatIfPanel, type WhatIfPanelProps } from './WhatIfPanel.tsx';

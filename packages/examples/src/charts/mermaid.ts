/**
 * Mermaid text as a fenced Markdown block, which JupyterLab (≥ 4.1), GitHub and many Markdown
 * viewers draw as a diagram (in a notebook: `tslab.display.markdown(mermaidBlock(text))`).
 */
export function mermaidBlock(diagram: string): string {
  return `\`\`\`mermaid\n${diagram}\n\`\`\``;
}

/**
 * A link that opens the diagram in the Mermaid Live Editor (the state travels in the URL's
 * fragment, base64 JSON, so nothing is uploaded until the page loads it).
 */
export function mermaidLiveUrl(diagram: string): string {
  const state = JSON.stringify({ code: diagram, mermaid: { theme: 'default' } });
  return `https://mermaid.live/edit#base64:${Buffer.from(state, 'utf8').toString('base64')}`;
}

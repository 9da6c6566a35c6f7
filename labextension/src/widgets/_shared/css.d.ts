// esbuild loads .css files as text (see build-widgets.mjs).
declare module '*.css' {
  const text: string;
  export default text;
}

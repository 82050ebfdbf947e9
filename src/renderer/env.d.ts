// Vite import suffixes the renderer uses.
declare module '*?worker&url' {
  const url: string;
  export default url;
}

declare module 'seek-bzip' {
  interface OutputStream {
    writeByte(byte: number): void;
  }
  const Bunzip: {
    decode(input: Buffer, output?: OutputStream | Buffer | number, multistream?: boolean): Buffer;
  };
  export default Bunzip;
}

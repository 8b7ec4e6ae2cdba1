// Placeholder: this concept's types and fields are being written.
export {};

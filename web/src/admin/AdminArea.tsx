// Placeholder: the admin area is being built (issue 4).
export default function AdminArea({ path }: { path: string }) {
  return (
    <section className="wrap">
      <p>{path}</p>
    </section>
  );
}

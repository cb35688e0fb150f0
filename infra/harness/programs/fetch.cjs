// Runs inside an api container, which has node but no curl:
//   docker exec -i <id> node - <url> <init as JSON>   (this file on stdin)
// Prints {status, body} as JSON, or the error and exits 1.
const [url, init] = process.argv.slice(2)
fetch(url, { ...JSON.parse(init), signal: AbortSignal.timeout(10000) })
  .then(async (response) =>
    console.log(JSON.stringify({ status: response.status, body: await response.text() })),
  )
  .catch((error) => {
    console.error(String(error.cause ?? error))
    process.exit(1)
  })

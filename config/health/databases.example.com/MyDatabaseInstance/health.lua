-- The guide's health check (section 10), as in examples/custom-health.
hs = {}
if obj.status ~= nil then
  if obj.status.phase == "Running" then
    hs.status = "Healthy"
    hs.message = "Database is fully synchronized and running."
    return hs
  end
  if obj.status.phase == "Failed" then
    hs.status = "Degraded"
    hs.message = "Database initialization failed: " .. obj.status.reason
    return hs
  end
end
hs.status = "Progressing"
hs.message = "Database is provisioning schema or allocating storage..."
return hs

local function condition(kind)
  if obj.status == nil or obj.status.conditions == nil then
    return nil
  end
  for _, c in ipairs(obj.status.conditions) do
    if c.type == kind then
      return c
    end
  end
  return nil
end

-- cert-manager reports issuance with the Ready and Issuing conditions.
local ready = condition("Ready")
local issuing = condition("Issuing")
if ready ~= nil and ready.status == "True" then
  return {status = "Healthy", message = ready.message or "Certificate is up to date"}
end
if issuing ~= nil and issuing.status == "True" then
  return {status = "Progressing", message = issuing.message or "Issuing certificate"}
end
if issuing ~= nil and issuing.reason == "Failed" then
  return {status = "Degraded", message = issuing.message or "Issuing the certificate failed"}
end
if ready ~= nil and ready.status == "False" then
  return {status = "Degraded", message = ready.message or "Certificate is not ready"}
end
return {status = "Progressing", message = "Waiting for cert-manager to issue the certificate"}
